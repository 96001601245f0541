// The main() of every benchmark program: the BLAS environment rflab runs with (OpenBLAS's kernels
// for this CPU, passive waiting in both pools; core/util/blas_environment.h) before Google
// Benchmark starts, so that a figure measures what rflab runs. The settings it ran with are in
// the output's context (OPENBLAS_CORETYPE, OMP_WAIT_POLICY), so that a paired comparison can
// give the other side the same BLAS kernels.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "core/util/blas_environment.h"

#define RFLAB_BENCHMARK_MAIN()                            \
  int main(int argc, char** argv) {                       \
    rflab::core::ensure_blas_environment(argv);           \
    for (const char* name : {"OPENBLAS_CORETYPE", "OMP_WAIT_POLICY"}) \
      benchmark::AddCustomContext(name, std::getenv(name) ? std::getenv(name) : ""); \
    benchmark::Initialize(&argc, argv);                   \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    benchmark::RunSpecifiedBenchmarks();                  \
    benchmark::Shutdown();                                \
    return 0;                                             \
  }
