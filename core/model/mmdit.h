// MM-DiT (SPEC §9; paper §4, Fig. 2): d joint blocks over [context; image] tokens, each stream
// with its own weights. `mmdit` has two weight sets (text, image), the paper's choice; `mmdit3`
// has three (§5.2.3): the pooled vector also enters as one token with a stream of its own, as
// the paper splits CLIP and T5 tokens (docs/architectures.md says why this split).
#pragma once
#include <torch/torch.h>

#include "core/model/backbone.h"
#include "core/model/joint_block.h"

namespace rflab::core {

struct MMDiTImpl : BackboneImpl {
  explicit MMDiTImpl(const BackboneConfig& config);

  torch::nn::Linear pooled_token_embedder{nullptr};  // mmdit3: Linear(P → H), the pooled token
  torch::nn::ModuleList joint_blocks{nullptr};

 protected:
  torch::Tensor blocks(const Embedded& e) override;
};
TORCH_MODULE(MMDiT);

}  // namespace rflab::core
