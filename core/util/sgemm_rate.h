// The machine's sgemm rate: the GFLOP/s of this process's BLAS at one fixed product, on the
// threads the process is set to use. rflab's times depend on the machine more than on anything in
// a plan (the 2-core machines it is measured on have differed fourfold in this rate from one day
// to the next), so every command that stores phase timings stores this rate beside them
// (results/phase_timing.h), and the benchmarks report their share of it.
#pragma once
#include <cstdint>

namespace rflab::core {

// Row-major [m, k] times [k, n]. The default is the d = 4 MM-DiT MLP's first Linear at batch 64:
// (64 samples · 80 tokens) x 256 times 256 x 1024, 2.7 GFLOP.
struct SgemmShape {
  int64_t m = 64 * 80, k = 256, n = 1024;
};

// 2·m·k·n / seconds of the fastest of `repeats` products after one warm-up, in GFLOP/s.
// Requires has_sgemm() (core/util/blas.h); throws std::invalid_argument for an empty shape or
// repeats < 1.
double sgemm_gflops(const SgemmShape& shape = {}, int repeats = 3);

}  // namespace rflab::core
