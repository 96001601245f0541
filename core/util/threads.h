// Threads and BLAS. libtorch's intra-op pool (OpenMP) and OpenBLAS's own pool both default to
// all cores, and both spin while idle: on a 2-core machine the two pools steal each other's
// cores and a training step runs ~2x slower. With passive waiting (OMP_WAIT_POLICY=PASSIVE,
// OPENBLAS_THREAD_TIMEOUT=4) idle threads sleep, and both pools on all cores is the fastest
// choice (README "Threads"). configure_threads() sets both pools from one choice.
#pragma once
#include <string>

#include "core/util/blas_environment.h"

namespace rflab::core {

struct BlasInfo {
  std::string library;    // path of the loaded libblas / libopenblas, or "" if none found
  bool is_openblas = false;
  int openblas_threads = 0;  // 0 when not OpenBLAS
  std::string core;          // OpenBLAS's kernel family (it changes the summation order), or ""
};

BlasInfo blas_info();

// torch_threads = libtorch intra-op threads, blas_threads = OpenBLAS pool size; 0 = default.
struct ThreadChoice {
  int torch_threads = 0;
  int blas_threads = 0;
};

// The default: threads_for(all cores).
ThreadChoice default_threads();

// `--threads N`: N = cores to use. With passive waiting, both pools get N threads; without
// it, libtorch gets 1 and OpenBLAS N (two spinning pools would oversubscribe).
ThreadChoice threads_for(int n);

void configure_threads(const ThreadChoice& t);

// Returns a warning text (empty when none): the reference BLAS is in use, so matrix
// products run ~25x slower; names the fix.
std::string reference_blas_warning();

}  // namespace rflab::core
