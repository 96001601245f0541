// The conditioning a network receives: the pooled vector and the context tokens (SPEC §7.2).
// Lives apart from the sampler so the model code can include it without core/sampling.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

struct Conditioning {
  torch::Tensor pooled;   // [B, P]
  torch::Tensor context;  // [B, M, T]

  // Samples [from, from + n) of the batch (an absent pooled vector stays absent).
  Conditioning rows(int64_t from, int64_t n) const {
    return {pooled.defined() ? pooled.narrow(0, from, n) : pooled, context.narrow(0, from, n)};
  }
};

}  // namespace rflab::core
