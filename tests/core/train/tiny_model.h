// The smallest MM-DiT the training tests use: depth 1, hidden 64, one head, 16x16x1 input at
// patch 4, 16-d context and pooled vectors.
#pragma once
#include "core/model/mmdit.h"

inline rflab::core::BackboneConfig tiny_mmdit_config() {
  rflab::core::BackboneConfig c;
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

// One batch of four for tiny_mmdit_config, drawn from torch's default generator: clean images
// x0 in [-1, 1], noise, times, the rectified-flow input z_t, pooled and context vectors.
struct TinyBatch {
  torch::Tensor x0, eps, t, z, pooled, ctx;
  torch::Tensor loss(rflab::core::MMDiT& m) const {
    return (m->forward(z, 1000 * t, pooled, ctx) - (eps - x0)).pow(2).mean();
  }
};

inline TinyBatch tiny_batch() {
  TinyBatch b;
  b.x0 = torch::rand({4, 1, 16, 16}) * 2 - 1;
  b.eps = torch::randn({4, 1, 16, 16});
  b.t = torch::rand({4});
  b.z = (1 - b.t).view({-1, 1, 1, 1}) * b.x0 + b.t.view({-1, 1, 1, 1}) * b.eps;
  b.pooled = torch::randn({4, 16});
  b.ctx = torch::randn({4, 3, 16});
  return b;
}
