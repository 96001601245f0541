// MM-DiT (SPEC §9; paper §4, Fig. 2): embedders, d joint blocks over [context; image] tokens,
// adaLN final layer and unpatchify. Module and parameter names are those of the reference
// mmditx.py (MMDiTX), so named_parameters() matches a reference checkpoint's `model.*` keys.
#pragma once
#include <torch/torch.h>

#include "core/model/embedders.h"
#include "core/model/joint_block.h"
#include "core/model/mmdit_config.h"

namespace rflab::core {

struct FinalLayerImpl : torch::nn::Module {
  FinalLayerImpl(int64_t hidden, int64_t patch, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& c);  // [B,N,H] -> [B,N,p²·C]
  torch::nn::Sequential adaLN_modulation{nullptr};                       // SiLU, Linear(H → 2H): (shift, scale)
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(FinalLayer);

struct MMDiTImpl : torch::nn::Module {
  explicit MMDiTImpl(const MMDiTConfig& config);

  // x [B,C,h,w] (h, w multiples of p); c_t [B] the embedder input (1000·t for RF, SPEC §1.5);
  // pooled [B,P] (ignored when P = 0); context [B,M,T]. Returns [B,C_out,h,w].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& c_t, const torch::Tensor& pooled,
                        const torch::Tensor& context);

  // adaLN-Zero initialisation of SPEC §9.6 (DiT's initialize_weights); the output is then 0.
  void initialize_weights();

  const MMDiTConfig& config() const { return config_; }

  PatchEmbed x_embedder{nullptr};
  EmbedderMLP t_embedder{nullptr}, y_embedder{nullptr};
  torch::nn::Linear context_embedder{nullptr};
  torch::nn::ModuleList joint_blocks{nullptr};
  FinalLayer final_layer{nullptr};
  torch::Tensor pos_embed;  // buffer [1, G*G, H], the fixed sin-cos table

 private:
  torch::Tensor unpatchify(const torch::Tensor& tokens, int64_t h, int64_t w) const;
  MMDiTConfig config_;
};
TORCH_MODULE(MMDiT);

}  // namespace rflab::core
