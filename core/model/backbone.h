// What every backbone shares (SPEC §9.2–9.6, §9.9): the embedders, the fixed position table,
// the adaLN final layer, unpatchify and the initialisation; a backbone adds its blocks. Module
// names are those of the reference mmditx.py, so every backbone's checkpoint reads the same way
// and an MM-DiT's named_parameters() match a reference checkpoint's `model.*` keys.
//
// Dimension letters: B batch, C channels, h×w image, p patch, N = (h/p)(w/p) image tokens,
// M context tokens, H hidden width, P pooled width, T context width.
#pragma once
#include <torch/torch.h>

#include "core/model/embedders.h"
#include "core/model/linear.h"
#include "core/model/shape/backbone_config.h"

namespace rflab::core {

struct FinalLayerImpl : torch::nn::Module {
  FinalLayerImpl(int64_t hidden, int64_t patch, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y);  // [B,N,H] -> [B,N,p²·C]
  torch::nn::Sequential adaLN_modulation{nullptr};                       // SiLU, Linear(H → 2H): (shift, scale)
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(FinalLayer);

// One batch through the embedders, as the blocks take it.
struct Embedded {
  torch::Tensor image;      // [B, N, H]: patch tokens plus the position table
  torch::Tensor context;    // [B, M, H]
  torch::Tensor y;          // [B, H]: t_emb + pooled_emb, the vector every adaLN reads
  torch::Tensor t_emb;      // [B, H]
  torch::Tensor pooled_emb; // [B, H]; undefined without a pooled vector
  torch::Tensor pooled;     // [B, P]: the pooled input itself
};

struct BackboneImpl : torch::nn::Module {
  // x [B,C,h,w] (h, w multiples of p); c_t [B] the embedder input (1000·t for RF, SPEC §1.5);
  // pooled [B,P] (ignored when P = 0); context [B,M,T]. Returns [B,C_out,h,w].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& c_t, const torch::Tensor& pooled,
                        const torch::Tensor& context);

  // SPEC §9.6 (DiT's initialize_weights) for every backbone: xavier-uniform Linears with zero
  // bias, the patch conv as a (H, C·p·p) matrix, N(0, 0.02) embedder MLPs; every adaLN-Zero
  // modulation (and an adaLN-Zero block's cross-attention output, as PixArt-α) at zero, so those
  // blocks start as the identity; affine LayerNorms at (1, 0), RMSNorm weights 1; the final
  // adaLN and Linear at zero, so every backbone's output is 0 at initialisation.
  void initialize_weights();

  const BackboneConfig& config() const { return config_; }

  PatchEmbed x_embedder{nullptr};
  EmbedderMLP t_embedder{nullptr}, y_embedder{nullptr};
  torch::nn::Linear context_embedder{nullptr};
  FinalLayer final_layer{nullptr};
  torch::Tensor pos_embed;  // buffer [1, G*G, H], the fixed sin-cos table

 protected:
  explicit BackboneImpl(const BackboneConfig& config);  // registers the embedders
  // Registers the final layer after the blocks (parameter order: embedders, blocks, final layer)
  // and initialises the weights; the last call of a backbone's constructor.
  void finish();
  // The blocks: image tokens [B, N, H] for the final layer.
  virtual torch::Tensor blocks(const Embedded& e) = 0;
  BackboneConfig config_;

 private:
  torch::Tensor unpatchify(const torch::Tensor& tokens, int64_t h, int64_t w) const;
};
TORCH_MODULE(Backbone);

// The backbone config.backbone names, built and initialised.
Backbone make_backbone(const BackboneConfig& config);

}  // namespace rflab::core
