#include "core/model/joint_block.h"

#include <cmath>

#include "core/model/gelu.h"

namespace rflab::core {

namespace nn = torch::nn;

SelfAttentionImpl::SelfAttentionImpl(int64_t hidden, int64_t heads_, bool qk_norm, bool pre_only) : heads(heads_) {
  qkv = register_module("qkv", nn::Linear(nn::LinearOptions(hidden, 3 * hidden).bias(true)));
  if (!pre_only) proj = register_module("proj", nn::Linear(hidden, hidden));
  if (qk_norm) {
    ln_q = register_module("ln_q", RMSNorm(hidden / heads));
    ln_k = register_module("ln_k", RMSNorm(hidden / heads));
  }
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> SelfAttentionImpl::pre_attention(const torch::Tensor& x) {
  const int64_t B = x.size(0), L = x.size(1), H = x.size(2);
  // One copy into [3, B, heads, L, head_dim]: q, k and v come out contiguous per head.
  auto parts = linear_rows(qkv, x).view({B, L, 3, heads, H / heads}).permute({2, 0, 3, 1, 4}).contiguous().unbind(0);
  auto q = parts[0], k = parts[1], v = parts[2];
  if (ln_q) {
    q = ln_q->forward(q);
    k = ln_k->forward(k);
  }
  return {q, k, v};
}

MlpImpl::MlpImpl(int64_t hidden, int64_t mlp_hidden) {
  fc1 = register_module("fc1", nn::Linear(hidden, mlp_hidden));
  fc2 = register_module("fc2", nn::Linear(mlp_hidden, hidden));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return linear_rows(fc2, gelu_tanh(linear_rows(fc1, x)));
}

DismantledBlockImpl::DismantledBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool pre_only_)
    : pre_only(pre_only_) {
  attn = register_module("attn", SelfAttention(hidden, heads, qk_norm, pre_only));
  if (!pre_only) mlp = register_module("mlp", Mlp(hidden, mlp_ratio * hidden));
  adaLN_modulation = register_module(
      "adaLN_modulation", nn::Sequential(nn::SiLU(), nn::Linear(hidden, (pre_only ? 2 : 6) * hidden)));
}

DismantledBlockImpl::Pre DismantledBlockImpl::pre_attention(const torch::Tensor& x, const torch::Tensor& c) {
  const int64_t H = x.size(2);
  auto mods = adaLN_modulation->forward(c).chunk(pre_only ? 2 : 6, 1);  // [B, 6H]: 2-D, fused addmm
  auto h = modulate(torch::layer_norm(x, {H}, {}, {}, 1e-6), mods[0], mods[1]);
  Pre pre;
  std::tie(pre.q, pre.k, pre.v) = attn->pre_attention(h);
  if (!pre_only) {
    pre.gate_msa = mods[2];
    pre.shift_mlp = mods[3];
    pre.scale_mlp = mods[4];
    pre.gate_mlp = mods[5];
  }
  return pre;
}

torch::Tensor DismantledBlockImpl::post_attention(const torch::Tensor& a, const torch::Tensor& x, const Pre& pre) {
  const int64_t H = x.size(2);
  auto out = gated_residual(x, pre.gate_msa, linear_rows(attn->proj, a));
  auto h = modulate(torch::layer_norm(out, {H}, {}, {}, 1e-6), pre.shift_mlp, pre.scale_mlp);
  return gated_residual(out, pre.gate_mlp, mlp->forward(h));
}

JointBlockImpl::JointBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool last) {
  context_block = register_module("context_block", DismantledBlock(hidden, heads, mlp_ratio, qk_norm, last));
  x_block = register_module("x_block", DismantledBlock(hidden, heads, mlp_ratio, qk_norm, false));
}

std::pair<torch::Tensor, torch::Tensor> JointBlockImpl::forward(const torch::Tensor& context, const torch::Tensor& x,
                                                                const torch::Tensor& c) {
  auto pc = context_block->pre_attention(context, c);
  auto px = x_block->pre_attention(x, c);
  // Joint sequence, context first (SPEC §9.4, P5).
  auto [o_ctx, o_img] = joint_attention({pc.q, pc.k, pc.v}, {px.q, px.k, px.v});
  torch::Tensor ctx_out;
  if (!context_block->pre_only) ctx_out = context_block->post_attention(o_ctx, context, pc);
  return {ctx_out, x_block->post_attention(o_img, x, px)};
}

}  // namespace rflab::core
