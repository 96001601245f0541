// Closed forms of SPEC §9.7 (parameter count) and §9.8 (forward MACs per sample), for every
// backbone and DiT block design (docs/architectures.md gives each term), computed without
// building the model. `rflab model info` prints them, the trainer's training-FLOPs rows and the
// sweep helper that matches parameter counts use them, and tests hold them against the
// instantiated modules. Torch-free.
#pragma once
#include <cstdint>

#include "core/model/shape/backbone_config.h"

namespace rflab::core {

int64_t parameter_count(const BackboneConfig& c);

// N image tokens, M context tokens. MACs as SPEC §9.8 counts them: matrix products and attention,
// no element-wise operations.
int64_t forward_macs(const BackboneConfig& c, int64_t image_tokens, int64_t context_tokens);

// Image tokens N of a square image_size input at the model's patch size.
inline int64_t image_tokens(const BackboneConfig& c, int64_t image_size) {
  return (image_size / c.patch_size) * (image_size / c.patch_size);
}

// FLOPs of one training step per sample: 3 forward passes' worth, 2 FLOPs per MAC (SPEC §9.8).
inline double train_flops_per_sample(const BackboneConfig& c, int64_t n, int64_t m) {
  return 6.0 * static_cast<double>(forward_macs(c, n, m));
}

// The conditioning tokens of a `dit` block that reads the conditioning as tokens (in_context,
// cross_attention): the timestep embedding, and the pooled vector's embedding when there is one.
inline int64_t conditioning_tokens(const BackboneConfig& c) { return c.pooled_dim > 0 ? 2 : 1; }

}  // namespace rflab::core
