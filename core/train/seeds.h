// Counter-based randomness: every random draw of training step s (data order, captions,
// dropout, levels, noise) comes from a generator seeded by mix(seed, stream, s). A run's random
// state is therefore its (seed, step) pair, and a resumed run repeats the uninterrupted run bit
// for bit without saving generator internals.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdint>

namespace rflab::core {

enum class Stream : uint64_t { data_order = 1, captions = 2, dropout = 3, levels = 4, noise = 5, init = 6,
                               validation = 7, sampling = 8 };

// SplitMix64 finaliser over the three words: a bijection per word, well mixed.
inline uint64_t mix_seed(uint64_t seed, Stream stream, uint64_t counter) {
  uint64_t x = seed ^ (static_cast<uint64_t>(stream) * 0x9E3779B97F4A7C15ULL) ^ (counter * 0xD1B54A32D192ED03ULL);
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline torch::Generator make_cpu_generator(uint64_t seed, Stream stream, uint64_t counter) {
  return at::detail::createCPUGenerator(mix_seed(seed, stream, counter));
}

}  // namespace rflab::core
