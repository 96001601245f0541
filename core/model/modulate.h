// The two adaLN operations of a joint block (SPEC §9.4), per sample b with vectors broadcast
// over tokens: modulate(x) = x·(1 + scale_b) + shift_b, and the gated residual x + gate_b·y.
// On the CPU in fp32 each is one pass forward and one pass backward (the token reductions of
// the vector gradients done in the same pass); ATen's addcmul needs four passes backward.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

// x [B, L, H]; shift, scale [B, H].
torch::Tensor modulate(const torch::Tensor& x, const torch::Tensor& shift, const torch::Tensor& scale);

// x, y [B, L, H]; gate [B, H].
torch::Tensor gated_residual(const torch::Tensor& x, const torch::Tensor& gate, const torch::Tensor& y);

}  // namespace rflab::core
