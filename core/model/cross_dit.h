// CrossDiT (SPEC §9.9, PixArt-α style): d blocks over the image tokens alone; each block
// self-attends among the image tokens under adaLN-Zero, then cross-attends from them to the
// embedded context tokens, then runs its gated MLP. The text tokens are only embedded, never
// updated. The cross-attention's output projection starts at zero (as PixArt-α's), so every
// block starts as the identity.
#pragma once
#include <torch/torch.h>

#include "core/model/backbone.h"
#include "core/model/joint_block.h"

namespace rflab::core {

struct CrossDiTImpl : BackboneImpl {
  explicit CrossDiTImpl(const BackboneConfig& config);
  torch::nn::ModuleList blocks_{nullptr};  // registered as "blocks"

 protected:
  torch::Tensor blocks(const Embedded& e) override;
};
TORCH_MODULE(CrossDiT);

}  // namespace rflab::core
