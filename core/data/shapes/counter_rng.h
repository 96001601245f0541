// A counter-based random stream: word k of stream (key) is splitmix64 of the key plus k, so a
// draw depends only on (seed, index, k) and is the same on every platform and standard library.
// Ranges are mapped from 64-bit words here, never by <random>'s distributions, whose output is
// implementation-defined.
#pragma once
#include <cstdint>

namespace rflab::shapes {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit words.
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class CounterRng {
 public:
  // `stream` separates independent uses of the same (seed, index): the scene, the caption
  // choice, a prompt's ground-truth scene.
  CounterRng(uint64_t seed, int64_t index, uint64_t stream)
      : key_(splitmix64(splitmix64(seed) ^ (splitmix64(static_cast<uint64_t>(index)) + stream * 0xD1B54A32D192ED03ull))) {}

  uint64_t next() { return splitmix64(key_ + 0x9E3779B97F4A7C15ull * (counter_++)); }

  // An integer in [0, n), n >= 1: the high 32 bits of a word scaled by n (Lemire's
  // multiply-shift); the bias, below n / 2^32, is immaterial for the small n drawn here.
  int below(int n) { return static_cast<int>(((next() >> 32) * static_cast<uint64_t>(n)) >> 32); }

  // A double in [0, 1) with 53 random bits: exact in IEEE arithmetic on every platform.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }

  uint64_t draws() const { return counter_; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace rflab::shapes
