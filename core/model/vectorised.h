// What rflab's CPU kernels share to run their loops on the vector units: e^v as plain arithmetic
// (a loop calling it vectorises, where std::exp stays a scalar call per element), a sum in
// eight fixed lanes (a float sum in one chain waits on each add; eight chains in a
// fixed order give the same result on every thread count), and the AVX2 + FMA build of a loop,
// chosen at run time where the CPU has both (the baseline x86-64 build has neither: 4 lanes and
// separate multiply and add). Kernel files are compiled with -O3 -fno-trapping-math
// -fno-math-errno (rflab_kernel_sources, CMakeLists.txt), without which GCC vectorises none of
// these loops.
#pragma once
#include <cstdint>
#include <cstring>

// A loop body compiled for AVX2 with FMA: see avx2_fma().
#define RFLAB_AVX2_FMA __attribute__((target("avx2,fma")))

namespace rflab::core {

// Whether kernels take their RFLAB_AVX2_FMA build: where the CPU has both, unless switched off.
bool avx2_fma();
// Switches the AVX2 + FMA builds off (false) or back on where the CPU has them (true): for
// testing the baseline build on any machine. A process setting, as set_fused_kernels.
void set_avx2_fma(bool on);

// Runs Loop::run(args...) in its AVX2 + FMA build where avx2_fma(), else in its baseline build.
// Loop is a struct whose static `run` holds the loop, declared always_inline so that each build
// compiles its own copy (a loop body called through a plain function would keep the baseline's).
template <class Loop>
struct VectorBuilds {
  template <class... Args>
  static void baseline(Args... args) {
    Loop::run(args...);
  }
  template <class... Args>
  RFLAB_AVX2_FMA static void avx2(Args... args) {
    Loop::run(args...);
  }
};
template <class Loop, class... Args>
inline void in_vector_build(Args... args) {
  avx2_fma() ? VectorBuilds<Loop>::avx2(args...) : VectorBuilds<Loop>::baseline(args...);
}

// e^v for v in [−80, 80] (callers clamp, so that every result stays a normal float): v = n·ln2 + r
// with |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial (relative error < 1e-7 on that
// interval, below float rounding), 2^n put into the exponent bits.
__attribute__((always_inline)) inline float exp_clamped(float v) {
  constexpr float kLog2e = 1.4426950408889634f;
  constexpr float kLn2Hi = 0.693359375f;  // ln 2 split so that n·kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5·2^23: adding and subtracting it rounds to an integer
  const float n = (v * kLog2e + kRound) - kRound;
  const float r = (v - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Σ term(i) for i < n over eight lanes (lane i mod 8), the lanes then added in a fixed order.
template <class Term>
__attribute__((always_inline)) inline float sum_lanes(int64_t n, const Term& term) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lane[j] += term(i + j);
  for (; i < n; ++i) lane[i % 8] += term(i);
  return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

}  // namespace rflab::core
