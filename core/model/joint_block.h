// The blocks of SPEC §9.4 and §9.9. A DismantledBlock is one stream of an MM-DiT joint block —
// and, on its own over one sequence, the block of the single-stream backbones (DiT, CrossDiT,
// UViT). How it takes the conditioning vector y is its Modulation (the DiT paper's Fig. 5):
//
//   adaln_zero  Linear(SiLU(y)) → 6 chunks: shift, scale before attention and MLP, gates after;
//               the Linear starts at zero, so the block starts as the identity (MM-DiT, DiT-XL)
//   adaln       4 chunks: shift and scale, no gates; standard initialisation
//   none        affine LayerNorms, no modulation: y reaches the block as tokens (in-context,
//               cross-attention designs)
//   pre_only    2 chunks: the last joint block's text streams, which only feed the attention
//
// A block may also cross-attend from its tokens to a second sequence, after the self-attention
// (CrossDiT to the text tokens, DiT's cross-attention design to the conditioning tokens). The
// JointBlock runs two or three streams with their own weights through one joint attention,
// text streams first. Names follow mmditx.py (DismantledBlock, JointBlock) so reference
// checkpoints load by name; the new modules are named as DiT's and PixArt's.
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

// Attention from a block's tokens to another sequence's: queries from x [B, L, H], keys and
// values from tokens [B, K, H]; QK-normalised as the self-attention. No fused CPU kernel: its
// queries and keys are different sequences, so it runs through ATen's products and softmax.
struct CrossAttentionImpl : torch::nn::Module {
  CrossAttentionImpl(int64_t hidden, int64_t heads, bool qk_norm);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& tokens);  // -> [B, L, H]
  torch::nn::Linear q{nullptr}, kv{nullptr}, proj{nullptr};
  RMSNorm ln_q{nullptr}, ln_k{nullptr};
  int64_t heads;
};
TORCH_MODULE(CrossAttention);

struct MlpImpl : torch::nn::Module {
  MlpImpl(int64_t hidden, int64_t mlp_hidden);
  torch::Tensor forward(const torch::Tensor& x);  // fc1 → GELU(tanh) → fc2
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

enum class Modulation { adaln_zero, adaln, none, pre_only };

struct DismantledBlockImpl : torch::nn::Module {
  DismantledBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, Modulation modulation,
                      bool cross_attention = false);

  struct Pre {
    torch::Tensor q, k, v;                 // [B, heads, L, head_dim]
    std::vector<torch::Tensor> mods;       // the modulation chunks [B, H] (none for Modulation::none)
  };
  Pre pre_attention(const torch::Tensor& x, const torch::Tensor& y);
  // x + gate·proj(attn) (no gate unless adaln_zero); attn: [B, L, H] attention output of x's tokens.
  torch::Tensor attention_residual(const torch::Tensor& attn, const torch::Tensor& x, const Pre& pre);
  // x + cross_attn(LN(x), tokens): only a block built with cross-attention.
  torch::Tensor cross_attention_residual(const torch::Tensor& x, const torch::Tensor& tokens);
  // x + gate·MLP(modulate(LN(x))) (the LayerNorm's own affine for Modulation::none).
  torch::Tensor mlp_residual(const torch::Tensor& x, const Pre& pre);
  // The whole block over one sequence x [B, L, H]; tokens: the cross-attended sequence, if any.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& tokens = {});

  bool pre_only() const { return modulation == Modulation::pre_only; }
  // The block's adaLN modulation Linear (the one adaLN-Zero initialises to zero); null for none.
  torch::nn::Linear modulation_linear() const;

  SelfAttention attn{nullptr};
  CrossAttention cross_attn{nullptr};
  Mlp mlp{nullptr};
  torch::nn::Sequential adaLN_modulation{nullptr};  // SiLU, Linear(H → chunks·H)
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm_cross{nullptr};  // Modulation::none only
  Modulation modulation;

 private:
  torch::Tensor norm(torch::nn::LayerNorm& affine, const torch::Tensor& x);
};
TORCH_MODULE(DismantledBlock);

struct JointBlockImpl : torch::nn::Module {
  // pooled_stream: a third stream with its own weights for the pooled vector's token (mmdit3).
  JointBlockImpl(int64_t hidden, int64_t heads, int64_t mlp_ratio, bool qk_norm, bool last, bool pooled_stream = false);

  struct Streams {
    torch::Tensor context, pooled, image;  // [B, M, H], [B, 1, H] (mmdit3 only), [B, N, H]
  };
  // The text streams come back undefined from the last block (their output is discarded).
  Streams forward(const Streams& in, const torch::Tensor& y);
  // Two-stream form of the MM-DiT: (context', x').
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& context, const torch::Tensor& x,
                                                  const torch::Tensor& y);
  DismantledBlock context_block{nullptr}, pooled_block{nullptr}, x_block{nullptr};
};
TORCH_MODULE(JointBlock);

}  // namespace rflab::core
