// Scaled dot-product attention over the joint sequence (SPEC §9.4): softmax(q·kᵀ/√d)·v per
// sample and head, heads merged back into the hidden dimension. On the CPU in fp32 it runs
// as one fused kernel with its own backward: (sample, head) pairs split over the intra-op
// threads, each pair's products straight through sgemm, the attention weights kept for the
// backward pass, and the output written in [B, L, heads·d] order without a transpose copy.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

// q, k, v [B, heads, L, d] -> [B, L, heads·d].
torch::Tensor joint_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// The same through ATen's bmm and softmax (any device and dtype): the reference the fused
// kernel is tested against, and the path on CUDA.
torch::Tensor joint_attention_aten(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

}  // namespace rflab::core
