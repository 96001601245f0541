// Classifier-free guidance on the raw network output (SPEC §4.5, D10): w = 1 is one conditional
// pass; otherwise one batched call on [cond; uncond], uncond = zeroed pooled vector and context.
#pragma once
#include <torch/torch.h>

#include <functional>

#include "core/formulation/conditioning.h"

namespace rflab::core {

using Network = std::function<torch::Tensor(const torch::Tensor& z_in, const torch::Tensor& c_t, const Conditioning& cond)>;

// out_u + w·(out_c − out_u); adds the network evaluations made (1, or 2 for the doubled batch).
torch::Tensor guided_output(const Network& net, const torch::Tensor& z_in, const torch::Tensor& c_t,
                            const Conditioning& cond, double w, int64_t* network_evals = nullptr);

}  // namespace rflab::core
