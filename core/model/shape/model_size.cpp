#include "core/model/shape/model_size.h"

namespace rflab::core {

namespace {

// The pieces every block is made of, for width H and MLP width m = mlp_ratio·H.
struct Pieces {
  int64_t H, m, qk_norm;  // qk_norm: the parameters of one attention's ln_q and ln_k (2·head_dim, or 0)
  explicit Pieces(const BackboneConfig& c)
      : H(c.hidden), m(c.mlp_ratio * c.hidden), qk_norm(c.qk_norm ? 2 * c.head_dim() : 0) {}
  int64_t qkv() const { return 3 * H * H + 3 * H; }
  int64_t proj() const { return H * H + H; }
  int64_t mlp() const { return 2 * H * m + m + H; }
  int64_t modulation(int64_t chunks) const { return chunks * (H * H + H); }  // SiLU, Linear(H → chunks·H)
  int64_t layer_norm() const { return 2 * H; }                             // an affine LayerNorm
  int64_t cross_attention() const { return (H * H + H) + (2 * H * H + 2 * H) + (H * H + H) + qk_norm; }
  // A full stream (SPEC §9.7: 18H² + 15H at m = 4H) with `chunks` modulation chunks.
  int64_t stream(int64_t chunks) const { return qkv() + proj() + mlp() + modulation(chunks) + qk_norm; }
  int64_t pre_only_stream() const { return qkv() + modulation(2) + qk_norm; }  // the last block's text streams
  // MACs per token of a full stream's qkv, proj and MLP, and of a pre-only stream's qkv.
  int64_t token_macs() const { return 4 * H * H + 2 * H * m; }
  int64_t pre_only_token_macs() const { return 3 * H * H; }
};

int64_t dit_block_parameters(const BackboneConfig& c, const Pieces& s) {
  switch (c.conditioning) {
    case BlockConditioning::adaln_zero: return s.stream(6);
    case BlockConditioning::adaln: return s.stream(4);
    case BlockConditioning::in_context: return s.stream(0) + 2 * s.layer_norm();
    case BlockConditioning::cross_attention: return s.stream(0) + 3 * s.layer_norm() + s.cross_attention();
  }
  return 0;
}

}  // namespace

int64_t parameter_count(const BackboneConfig& c) {
  const Pieces s(c);
  const int64_t H = c.hidden, d = c.depth, p2 = c.patch_size * c.patch_size;
  int64_t n = 0;
  switch (c.backbone) {
    case BackboneKind::mmdit:  // two streams; the last block's context stream is pre-only
      n = (2 * d - 1) * s.stream(6) + s.pre_only_stream();
      break;
    case BackboneKind::mmdit3:  // a third stream for the pooled token, pre-only in the last block too
      n = (3 * d - 2) * s.stream(6) + 2 * s.pre_only_stream() + (c.pooled_dim + 1) * H;
      break;
    case BackboneKind::dit: n = d * dit_block_parameters(c, s); break;
    case BackboneKind::crossdit: n = d * (s.stream(6) + s.cross_attention()); break;
    case BackboneKind::uvit: n = d * s.stream(6) + (d / 2) * (2 * H * H + H); break;  // + the skip Linears
  }
  n += (p2 * c.in_channels + 1) * H;                        // patch embedding
  n += H * H + (c.frequency_dim + 2) * H;                   // timestep MLP
  if (c.pooled_dim > 0) n += H * H + (c.pooled_dim + 2) * H;  // pooled-vector MLP
  n += (c.context_dim + 1) * H;                             // context embedder
  n += 2 * H * H + 2 * H;                                   // final adaLN
  n += p2 * c.out_channels * H + p2 * c.out_channels;       // final Linear
  return n;
}

int64_t forward_macs(const BackboneConfig& c, int64_t N, int64_t M) {
  const Pieces s(c);
  const int64_t H = c.hidden, d = c.depth, p2 = c.patch_size * c.patch_size, t = s.token_macs();
  const int64_t K = conditioning_tokens(c);
  int64_t macs = 0;
  switch (c.backbone) {
    case BackboneKind::mmdit: {  // SPEC §9.8
      const int64_t L = N + M;
      macs = t * d * L - (t - s.pre_only_token_macs()) * M + 2 * d * H * L * L;
      macs += (12 * d - 4) * H * H;  // modulations: 6H² per stream, 2H² for the pre-only one
      break;
    }
    case BackboneKind::mmdit3: {
      const int64_t L = N + M + 1;
      macs = t * d * L - (t - s.pre_only_token_macs()) * (M + 1) + 2 * d * H * L * L;
      macs += (18 * d - 8) * H * H + c.pooled_dim * H;  // three streams' modulations; the pooled token's Linear
      break;
    }
    case BackboneKind::dit:
    case BackboneKind::uvit: {
      const bool in_context = c.backbone == BackboneKind::dit && c.conditioning == BlockConditioning::in_context;
      const int64_t L = N + M + (in_context ? K : 0);
      macs = t * d * L + 2 * d * H * L * L;
      if (c.backbone == BackboneKind::uvit) {
        macs += 6 * d * H * H + (d / 2) * 2 * H * H * L;  // adaLN-Zero modulations; skip Linears over 2H
      } else if (c.conditioning == BlockConditioning::adaln_zero) {
        macs += 6 * d * H * H;
      } else if (c.conditioning == BlockConditioning::adaln) {
        macs += 4 * d * H * H;
      } else if (c.conditioning == BlockConditioning::cross_attention) {
        // q and proj over the L tokens, k and v of the K conditioning tokens, and the products.
        macs += d * (2 * H * H * L + 2 * H * H * K + 2 * H * L * K);
      }
      break;
    }
    case BackboneKind::crossdit:
      // Self-attention over the N image tokens, cross-attention of those to the M text tokens.
      macs = d * (t * N + 2 * H * N * N + 6 * H * H) + d * (2 * H * H * N + 2 * H * H * M + 2 * H * N * M);
      break;
  }
  macs += 2 * H * H;                                 // final adaLN
  macs += H * (c.frequency_dim + H);                 // timestep MLP
  if (c.pooled_dim > 0) macs += H * (c.pooled_dim + H);
  macs += N * p2 * H * (c.in_channels + c.out_channels) + M * c.context_dim * H;
  return macs;
}

}  // namespace rflab::core
