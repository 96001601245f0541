// GELU with the tanh approximation (the MM-DiT MLP, SPEC §9.4):
// y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The forward pass is ATen's kernel; on the CPU
// in fp32 the backward pass recovers tanh from the saved output, t = (2y − x)/x, instead of
// evaluating tanh again (ATen's gelu_backward was the slowest element-wise kernel of a step).
// The gradient then agrees with ATen's to ~1e-5 absolute (t carries the rounding of y).
#pragma once
#include <torch/torch.h>

namespace rflab::core {

torch::Tensor gelu_tanh(const torch::Tensor& x);

}  // namespace rflab::core
