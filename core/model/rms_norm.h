// RMSNorm over the last dimension (the QK-normalisation of SPEC §10.4):
// u · rsqrt(mean(u²) + eps) · weight, computed in fp32. On the CPU in fp32 it is one fused
// kernel with its own backward (ATen would run five element-wise passes forward and about ten
// backward over q and k of every block); elsewhere it is the ATen composite.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

struct RMSNormImpl : torch::nn::Module {
  RMSNormImpl(int64_t dim, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

// The ATen composite (any device and dtype): the reference of the fused kernel.
torch::Tensor rms_norm_aten(const torch::Tensor& x, const torch::Tensor& weight, double eps);

}  // namespace rflab::core
