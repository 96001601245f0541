// The main() of every benchmark program: the BLAS environment rflab runs with (OpenBLAS's kernels
// for this CPU, passive waiting in both pools; core/util/blas_environment.h) before Google
// Benchmark starts, so that a figure measures what rflab runs.
#pragma once
#include <benchmark/benchmark.h>

#include "core/util/blas_environment.h"

#define RFLAB_BENCHMARK_MAIN()                            \
  int main(int argc, char** argv) {                       \
    rflab::core::ensure_blas_environment(argv);           \
    benchmark::Initialize(&argc, argv);                   \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    benchmark::RunSpecifiedBenchmarks();                  \
    benchmark::Shutdown();                                \
    return 0;                                             \
  }
