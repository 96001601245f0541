// One pre-LN transformer layer over text tokens [B, L, W] (self-attention, then a GELU MLP of
// width 4W), the building block of the CLIP text towers; and the conditioning dropout of
// SPEC §7.3, which acts on a text tower's output.
#pragma once
#include <torch/torch.h>

#include "core/formulation/conditioning.h"

namespace rflab::core {

struct TextLayerImpl : torch::nn::Module {
  TextLayerImpl(int64_t width, int64_t heads);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
  int64_t heads;
};
TORCH_MODULE(TextLayer);

// Zeroes both parts of the conditioning of the samples where `drop` [B] (bool) is true
// (SPEC §7.3: the fully dropped input is the unconditional input of CFG).
Conditioning drop_conditioning(const Conditioning& c, const torch::Tensor& drop);

}  // namespace rflab::core
