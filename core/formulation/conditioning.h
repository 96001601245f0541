// The conditioning a network receives: the pooled vector and the context tokens (SPEC §7.2).
// Lives apart from the sampler so the model code can include it without core/sampling.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

struct Conditioning {
  torch::Tensor pooled;   // [B, P]
  torch::Tensor context;  // [B, M, T]
};

}  // namespace rflab::core
