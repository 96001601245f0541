// GELU with the tanh approximation (the MM-DiT MLP, SPEC §9.4):
// y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). On the CPU in fp32 both passes are one
// vectorised loop in the identical form y = x·σ(2u), u = √(2/π)·(x + 0.044715·x³), with its own
// e^v (ATen 1.13's tanh kernel ran at a fifth of memory speed and was the slowest element-wise
// kernel of a training step); with gradients the forward pass also writes dy/dx from the same
// e^(−2u), and the backward pass is its product with the incoming gradient. Both
// agree with the exact function in double to a few float ulps (ATen's gradient is off it by up
// to ~5e-6), and are more accurate than ATen's for negative x, where 1 + tanh(u) cancels.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

torch::Tensor gelu_tanh(const torch::Tensor& x);

// The same through ATen's kernel (any device and dtype): the reference the CPU loop is tested
// against, and the path on CUDA.
torch::Tensor gelu_tanh_aten(const torch::Tensor& x);

}  // namespace rflab::core
