#include "core/model/model_size.h"

namespace rflab::core {

int64_t parameter_count(const MMDiTConfig& c) {
  const int64_t H = c.hidden, d = c.depth, p2 = c.patch_size * c.patch_size;
  const int64_t mlp = c.mlp_ratio * H;
  // One full stream: qkv 3H²+3H, proj H²+H, MLP 2·H·mlp + mlp + H, adaLN 6H²+6H.
  const int64_t stream = (3 * H * H + 3 * H) + (H * H + H) + (2 * H * mlp + mlp + H) + (6 * H * H + 6 * H);
  const int64_t pre_only = 3 * H * H + 3 * H + 2 * H * H + 2 * H;  // qkv + 2-chunk adaLN
  int64_t n = (d - 1) * 2 * stream + stream + pre_only;
  if (c.qk_norm) n += 4 * c.head_dim() * d;
  n += (p2 * c.in_channels + 1) * H;                        // patch embedding
  n += H * H + (c.frequency_dim + 2) * H;                   // timestep MLP
  if (c.pooled_dim > 0) n += H * H + (c.pooled_dim + 2) * H;  // pooled-vector MLP
  n += (c.context_dim + 1) * H;                             // context embedder
  n += 2 * H * H + 2 * H;                                   // final adaLN
  n += p2 * c.out_channels * H + p2 * c.out_channels;       // final Linear
  return n;
}

int64_t forward_macs(const MMDiTConfig& c, int64_t N, int64_t M) {
  const int64_t H = c.hidden, d = c.depth, L = N + M, p2 = c.patch_size * c.patch_size;
  const int64_t mlp = c.mlp_ratio * H;
  // Per token and full stream: qkv 3H², proj H², MLP 2·H·mlp. The last context stream computes qkv only.
  const int64_t per_token = 4 * H * H + 2 * H * mlp;
  int64_t macs = per_token * d * L - (per_token - 3 * H * H) * M;
  macs += 2 * d * H * L * L;                        // Q·Kᵀ and A·V over the joint sequence
  macs += 12 * d * H * H + 2 * H * H;                // block modulations (6H per stream, the last ctx 2H) ...
  macs -= 4 * H * H;                                 // ... the pre-only context stream has 2 chunks, not 6
  macs += H * (c.frequency_dim + H);                 // timestep MLP
  if (c.pooled_dim > 0) macs += H * (c.pooled_dim + H);
  macs += N * p2 * H * (c.in_channels + c.out_channels) + M * c.context_dim * H;
  return macs;
}

}  // namespace rflab::core
