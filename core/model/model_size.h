// Closed forms of SPEC §9.7 (parameter count) and §9.8 (forward MACs per sample), computed
// without building the model; `rflab model info` prints them and tests hold them against the
// instantiated module.
#pragma once
#include <cstdint>

#include "core/model/mmdit_config.h"

namespace rflab::core {

int64_t parameter_count(const MMDiTConfig& c);

// N image tokens, M context tokens.
int64_t forward_macs(const MMDiTConfig& c, int64_t image_tokens, int64_t context_tokens);

// Image tokens N of a square image_size input at the model's patch size.
inline int64_t image_tokens(const MMDiTConfig& c, int64_t image_size) {
  return (image_size / c.patch_size) * (image_size / c.patch_size);
}

// FLOPs of one training step per sample: 3 forward passes' worth, 2 FLOPs per MAC (SPEC §9.8).
inline double train_flops_per_sample(const MMDiTConfig& c, int64_t n, int64_t m) {
  return 6.0 * static_cast<double>(forward_macs(c, n, m));
}

}  // namespace rflab::core
