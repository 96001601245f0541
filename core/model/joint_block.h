// The MM-DiT joint block of SPEC §9.4: two streams (context, image) with their own weights,
// joint attention over [context; image], adaLN modulation with 6 chunks per stream, and a
// pre-only context stream in the last block. Names follow mmditx.py (DismantledBlock,
// JointBlock) so reference checkpoints load by name.
#pragma once
#include <torch/torch.h>

#include <tuple>

#include "core/model/joint_attention.h"
#include "core/model/linear.h"
#include "core/model/modulate.h"
#include "core/model/rms_norm.h"

namespace rflab::core {

struct SelfAttentionImpl : torch::nn::Module {
  SelfAttentionImpl(int64_t hidden, int64_t heads, bool qk_norm, bool pre_only);
  // [B, L, H] -> q, k, v each [B, heads, L, head_dim] (contiguous), QK-normalised.
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> pre_attention(const torch::Tensor& x);
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
  RMSNorm ln_q{nullptr}, ln_k{nullptr};
  int64_t heads;
};
TORCH_MODULE(SelfAttention);

struct MlpImpl : torch::nn::Module {
  MlpImpl(int64_t hidden, int64_t mlp_hidden);
  torch::Tensor forward(const torch::Tensor& x);  // fc1 → GELU(tanh) → fc2
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

// One stream of a joint block.
struct DismantledBlockImpl : torch::nn::Module {
  DismantledBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool pre_only);

  struct Pre {
    torch::Tensor q, k, v;                    // [B, heads, L, head_dim]
    torch::Tensor gate_msa, shift_mlp, scale_mlp, gate_mlp;  // undefined when pre_only
  };
  Pre pre_attention(const torch::Tensor& x, const torch::Tensor& c);
  // attn: [B, L, H] attention output for this stream's tokens.
  torch::Tensor post_attention(const torch::Tensor& attn, const torch::Tensor& x, const Pre& pre);

  SelfAttention attn{nullptr};
  Mlp mlp{nullptr};
  torch::nn::Sequential adaLN_modulation{nullptr};  // SiLU, Linear(H → 6H or 2H)
  bool pre_only;
};
TORCH_MODULE(DismantledBlock);

struct JointBlockImpl : torch::nn::Module {
  JointBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool last);
  // Returns (context', x'); context' is undefined for the last block (its output is discarded).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& context, const torch::Tensor& x,
                                                  const torch::Tensor& c);
  DismantledBlock context_block{nullptr}, x_block{nullptr};
};
TORCH_MODULE(JointBlock);

}  // namespace rflab::core
