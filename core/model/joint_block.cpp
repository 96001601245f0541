#include "core/model/joint_block.h"

#include <cmath>

#include "core/model/gelu.h"
#include "core/model/mac_tally.h"

namespace rflab::core {

namespace nn = torch::nn;

namespace {
int64_t chunks_of(Modulation m) {
  switch (m) {
    case Modulation::adaln_zero: return 6;
    case Modulation::adaln: return 4;
    case Modulation::none: return 0;
    case Modulation::pre_only: return 2;
  }
  return 0;
}

torch::Tensor layer_norm(const torch::Tensor& x) { return torch::layer_norm(x, {x.size(-1)}, {}, {}, 1e-6); }

// [B, L, H] -> [B, heads, L, H/heads]
torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}
}  // namespace

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

CrossAttentionImpl::CrossAttentionImpl(int64_t hidden, int64_t heads_, bool qk_norm) : heads(heads_) {
  q = register_module("q", nn::Linear(hidden, hidden));
  kv = register_module("kv", nn::Linear(hidden, 2 * hidden));
  proj = register_module("proj", nn::Linear(hidden, hidden));
  if (qk_norm) {
    ln_q = register_module("ln_q", RMSNorm(hidden / heads));
    ln_k = register_module("ln_k", RMSNorm(hidden / heads));
  }
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& tokens) {
  const int64_t B = x.size(0), L = x.size(1), H = x.size(2), K = tokens.size(1), hd = H / heads;
  auto queries = split_heads(linear_rows(q, x), heads).contiguous();                      // [B, heads, L, hd]
  auto kv_parts = linear_rows(kv, tokens).view({B, K, 2, heads, hd}).permute({2, 0, 3, 1, 4}).contiguous().unbind(0);
  auto keys = kv_parts[0], values = kv_parts[1];                                          // [B, heads, K, hd]
  if (ln_q) {
    queries = ln_q->forward(queries);
    keys = ln_k->forward(keys);
  }
  MacTally::add(2 * B * H * L * K);  // Q·Kᵀ and A·V over all heads
  auto scores = torch::matmul(queries, keys.transpose(-2, -1)).mul_(1.0 / std::sqrt(static_cast<double>(hd)));
  auto o = torch::matmul(torch::softmax(scores, -1), values);  // [B, heads, L, hd]
  return linear_rows(proj, o.transpose(1, 2).reshape({B, L, H}));
}

MlpImpl::MlpImpl(int64_t hidden, int64_t mlp_hidden) {
  fc1 = register_module("fc1", nn::Linear(hidden, mlp_hidden));
  fc2 = register_module("fc2", nn::Linear(mlp_hidden, hidden));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return linear_rows(fc2, gelu_tanh(linear_rows(fc1, x)));
}

DismantledBlockImpl::DismantledBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm,
                                         Modulation modulation_, bool cross_attention)
    : modulation(modulation_) {
  attn = register_module("attn", SelfAttention(hidden, heads, qk_norm, pre_only()));
  if (cross_attention) cross_attn = register_module("cross_attn", CrossAttention(hidden, heads, qk_norm));
  if (!pre_only()) mlp = register_module("mlp", Mlp(hidden, mlp_ratio * hidden));
  if (modulation == Modulation::none) {
    norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({hidden}).eps(1e-6)));
    norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({hidden}).eps(1e-6)));
    if (cross_attention)
      norm_cross = register_module("norm_cross", nn::LayerNorm(nn::LayerNormOptions({hidden}).eps(1e-6)));
  } else {
    adaLN_modulation = register_module(
        "adaLN_modulation", nn::Sequential(nn::SiLU(), nn::Linear(hidden, chunks_of(modulation) * hidden)));
  }
}

nn::Linear DismantledBlockImpl::modulation_linear() const {
  if (!adaLN_modulation) return nullptr;
  return nn::Linear(std::dynamic_pointer_cast<nn::LinearImpl>(adaLN_modulation->ptr(1)));
}

torch::Tensor DismantledBlockImpl::norm(nn::LayerNorm& affine, const torch::Tensor& x) {
  return affine ? affine->forward(x) : layer_norm(x);
}

DismantledBlockImpl::Pre DismantledBlockImpl::pre_attention(const torch::Tensor& x, const torch::Tensor& y) {
  Pre pre;
  torch::Tensor h;
  if (adaLN_modulation) {
    MacTally::add(y.size(0) * modulation_linear()->weight.numel());
    pre.mods = adaLN_modulation->forward(y).chunk(chunks_of(modulation), 1);  // [B, chunks·H]: 2-D, fused addmm
    h = modulate(layer_norm(x), pre.mods[0], pre.mods[1]);
  } else {
    h = norm1->forward(x);
  }
  std::tie(pre.q, pre.k, pre.v) = attn->pre_attention(h);
  return pre;
}

torch::Tensor DismantledBlockImpl::attention_residual(const torch::Tensor& a, const torch::Tensor& x, const Pre& pre) {
  auto out = linear_rows(attn->proj, a);
  return modulation == Modulation::adaln_zero ? gated_residual(x, pre.mods[2], out) : x + out;
}

torch::Tensor DismantledBlockImpl::cross_attention_residual(const torch::Tensor& x, const torch::Tensor& tokens) {
  return x + cross_attn->forward(norm(norm_cross, x), tokens);
}

torch::Tensor DismantledBlockImpl::mlp_residual(const torch::Tensor& x, const Pre& pre) {
  switch (modulation) {
    case Modulation::adaln_zero:
      return gated_residual(x, pre.mods[5], mlp->forward(modulate(layer_norm(x), pre.mods[3], pre.mods[4])));
    case Modulation::adaln: return x + mlp->forward(modulate(layer_norm(x), pre.mods[2], pre.mods[3]));
    case Modulation::none: return x + mlp->forward(norm2->forward(x));
    case Modulation::pre_only: break;
  }
  throw std::logic_error("DismantledBlock: a pre-only stream has no MLP");
}

torch::Tensor DismantledBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& tokens) {
  auto pre = pre_attention(x, y);
  auto out = attention_residual(joint_attention(pre.q, pre.k, pre.v), x, pre);
  if (cross_attn) out = cross_attention_residual(out, tokens);
  return mlp_residual(out, pre);
}

JointBlockImpl::JointBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool last,
                               bool pooled_stream) {
  const auto text = last ? Modulation::pre_only : Modulation::adaln_zero;
  context_block = register_module("context_block", DismantledBlock(hidden, heads, mlp_ratio, qk_norm, text));
  if (pooled_stream)
    pooled_block = register_module("pooled_block", DismantledBlock(hidden, heads, mlp_ratio, qk_norm, text));
  x_block = register_module("x_block", DismantledBlock(hidden, heads, mlp_ratio, qk_norm, Modulation::adaln_zero));
}

JointBlockImpl::Streams JointBlockImpl::forward(const Streams& in, const torch::Tensor& y) {
  auto pc = context_block->pre_attention(in.context, y);
  auto px = x_block->pre_attention(in.image, y);
  // Joint sequence, text first (SPEC §9.4, P5): with a pooled stream, its token follows the context.
  AttentionInputs text{pc.q, pc.k, pc.v};
  DismantledBlockImpl::Pre pp;
  if (pooled_block) {
    pp = pooled_block->pre_attention(in.pooled, y);
    text = {torch::cat({pc.q, pp.q}, 2), torch::cat({pc.k, pp.k}, 2), torch::cat({pc.v, pp.v}, 2)};
  }
  auto [o_text, o_img] = joint_attention(text, {px.q, px.k, px.v});
  Streams out;
  out.image = x_block->mlp_residual(x_block->attention_residual(o_img, in.image, px), px);
  if (context_block->pre_only()) return out;
  const int64_t M = in.context.size(1);
  auto o_ctx = pooled_block ? o_text.narrow(1, 0, M) : o_text;
  out.context = context_block->mlp_residual(context_block->attention_residual(o_ctx, in.context, pc), pc);
  if (pooled_block)
    out.pooled = pooled_block->mlp_residual(pooled_block->attention_residual(o_text.narrow(1, M, 1), in.pooled, pp), pp);
  return out;
}

std::pair<torch::Tensor, torch::Tensor> JointBlockImpl::forward(const torch::Tensor& context, const torch::Tensor& x,
                                                                const torch::Tensor& y) {
  auto out = forward(Streams{context, {}, x}, y);
  return {out.context, out.image};
}

}  // namespace rflab::core
