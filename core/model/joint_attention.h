// Scaled dot-product attention over the joint sequence (SPEC §9.4): softmax(q·kᵀ/√d)·v per
// sample and head, heads merged back into the hidden dimension. On the CPU in fp32 it runs
// as one fused kernel with its own backward: (sample, head) pairs split over the intra-op
// threads, each pair's products straight through sgemm, the attention weights kept for the
// backward pass. The joint sequence [context; image] is never concatenated in memory and each
// stream's output is written in [B, L, heads·d] order, so no cat, narrow or transpose copies.
#pragma once
#include <torch/torch.h>

#include <utility>

namespace rflab::core {

struct AttentionInputs {
  torch::Tensor q, k, v;  // [B, heads, L_stream, d]
};

// Attention over [context; image]; returns (context output [B, Lc, heads·d], image output
// [B, Lx, heads·d]).
std::pair<torch::Tensor, torch::Tensor> joint_attention(const AttentionInputs& context, const AttentionInputs& image);

// One sequence: q, k, v [B, heads, L, d] -> [B, L, heads·d].
torch::Tensor joint_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// The same through ATen (any device and dtype): at::scaled_dot_product_attention where the
// libtorch has it (2.x: flash attention on CUDA), else bmm, softmax, bmm. The reference the fused
// CPU kernel is tested against, and the path on CUDA and under autocast.
torch::Tensor joint_attention_aten(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

}  // namespace rflab::core
