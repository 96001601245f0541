// The forward and backward of a training step on the CPU, in parts of the batch, one core each
// (core/util/shards.h): each part's forward, then the loss and its gradient with respect to the
// network's output over the whole batch, then each part's backward; the parameters' gradients are
// summed over the parts in part order. The part count depends on the batch size alone (parts of
// at most kSamplesPerPart samples), so the gradients do not depend on the thread count. Loss and
// gradients equal a whole-batch backward's up to rounding (products at other row counts, another
// summation order).
#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "core/formulation/conditioning.h"
#include "core/sampling/guidance.h"

namespace rflab::core {

constexpr int64_t kSamplesPerPart = 32;

// The forward of rows [from, from + n) of the batch, with its graph: [n, ...].
using PartForward = std::function<torch::Tensor(int64_t from, int64_t n)>;
using LossOf = std::function<torch::Tensor(const torch::Tensor&)>;

// A batch of B samples: the parts' forwards concatenated are the output [B, ...]. Sets the
// gradient of every parameter in `params` that the parts or the loss reach (the loss's own term
// first, then the parts' in part order; a parameter reached by neither keeps none, as with
// backward()) and returns the loss, loss_of(output), detached. The parameters' gradients must be
// released (undefined) before the call. Each part's forward and backward must be safe to run on
// two threads at once (no ATen CPU convolution).
torch::Tensor backward_in_parts(int64_t B, const std::vector<torch::Tensor>& params, const PartForward& forward_part,
                                const LossOf& loss_of);

// The same for a generative network: input `in` [B, ...] with c_t [B] and cond (B rows).
torch::Tensor backward_in_parts(const Network& net, const std::vector<torch::Tensor>& params, const torch::Tensor& in,
                                const torch::Tensor& c_t, const Conditioning& cond,
                                const LossOf& loss_of);

}  // namespace rflab::core
