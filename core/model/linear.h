// A Linear layer over the last dimension, y = x·Wᵀ + b (W [out, in], b [out]), on the flattened
// rows of a [..., in] tensor, so that a 3-D input takes one product, not matmul's mm-then-add.
// On the CPU in fp32 it is one sgemm per pass with its own backward: the output's rows start as
// b and the product adds onto them (β = 1), as ATen's addmm does, but without addmm's broadcast
// copy of b, which ran at a sixth of memory speed and took 4% of a d = 4 training step.
// Forward values are bit-identical to addmm's; gradients are the same products.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

// x [..., in] -> [..., out].
torch::Tensor linear_rows(const torch::nn::Linear& lin, const torch::Tensor& x);
// The same with the weight [out, in] and bias [out] given as tensors (a view of another layer's).
torch::Tensor linear_rows(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x);

// The same through ATen's addmm (any device and dtype): the reference the CPU kernel is tested
// against, and the path on CUDA.
torch::Tensor linear_rows_aten(const torch::nn::Linear& lin, const torch::Tensor& x);
torch::Tensor linear_rows_aten(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x);

}  // namespace rflab::core
