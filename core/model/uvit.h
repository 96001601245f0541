// UViT (SPEC §9.9; Bao et al.'s U-ViT, the transformer hybrid of Hoogeboom et al. 2023): DiT's
// concatenated [context; image] sequence through d adaLN-Zero blocks, with long skip connections
// from each of the first ⌊d/2⌋ blocks to its mirror among the last ⌊d/2⌋; an odd d has a middle
// block. An out block first merges its skip, x ← Linear(2H → H)([x, skip]). The blocks take the
// conditioning vector by adaLN-Zero, as every other backbone here, so the comparison isolates
// the skips (U-ViT itself feeds the time as a token).
#pragma once
#include <torch/torch.h>

#include "core/model/backbone.h"
#include "core/model/joint_block.h"

namespace rflab::core {

struct UViTImpl : BackboneImpl {
  explicit UViTImpl(const BackboneConfig& config);
  torch::nn::ModuleList in_blocks{nullptr}, out_blocks{nullptr}, skip_linears{nullptr};
  DismantledBlock mid_block{nullptr};  // odd depth only

 protected:
  torch::Tensor blocks(const Embedded& e) override;
};
TORCH_MODULE(UViT);

}  // namespace rflab::core
