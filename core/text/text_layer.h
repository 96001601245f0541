// A small text encoder giving the two conditioning inputs of SPEC §7.2 for one source: the
// context tokens [B, M, T] and a pooled vector [B, P]. Token and position embeddings, a few
// pre-LN transformer layers, a projection to T, and the mean over tokens projected to P.
// Trained jointly with the MM-DiT until a frozen contrastive encoder replaces it.
#pragma once
#include <torch/torch.h>

#include "core/formulation/conditioning.h"

namespace rflab::core {

struct TextEncoderConfig {
  int64_t vocabulary = 0;
  int64_t max_tokens = 8;   // M
  int64_t width = 128;      // internal width
  int64_t heads = 4;
  int64_t layers = 1;
  int64_t context_dim = 128;  // T
  int64_t pooled_dim = 128;   // P (0 = no pooled vector)
};

struct TextLayerImpl : torch::nn::Module {
  TextLayerImpl(int64_t width, int64_t heads);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
  int64_t heads;
};
TORCH_MODULE(TextLayer);

struct TextEncoderImpl : torch::nn::Module {
  explicit TextEncoderImpl(const TextEncoderConfig& c);
  Conditioning forward(const torch::Tensor& ids);  // ids [B, M] int64
  torch::nn::Embedding token_embedding{nullptr};
  torch::Tensor position_embedding;  // [M, width], learned
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm ln_final{nullptr};
  torch::nn::Linear context_proj{nullptr}, pooled_proj{nullptr};
  TextEncoderConfig config;
};
TORCH_MODULE(TextEncoder);

// Zeroes both parts of the conditioning of the samples where `drop` [B] (bool) is true
// (SPEC §7.3: the fully dropped input is the unconditional input of CFG).
Conditioning drop_conditioning(const Conditioning& c, const torch::Tensor& drop);

}  // namespace rflab::core
