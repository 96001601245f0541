// The smallest MM-DiT the training tests use: depth 1, hidden 64, one head, 16x16x1 input at
// patch 4, 16-d context and pooled vectors.
#pragma once
#include "core/model/mmdit.h"

inline rflab::core::MMDiTConfig tiny_mmdit_config() {
  rflab::core::MMDiTConfig c;
  c.depth = 1;
  c.hidden = 64;
  c.heads = 1;
  c.patch_size = 4;
  c.in_channels = c.out_channels = 1;
  c.context_dim = 16;
  c.pooled_dim = 16;
  c.pos_embed_max_size = 4;
  return c;
}
