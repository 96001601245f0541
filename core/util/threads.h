// Threads and BLAS. libtorch's intra-op pool and OpenBLAS's own pool both default to all
// cores; on a 2-core machine the two together oversubscribe and a training step runs ~2x
// slower. configure_threads() sets both from one choice, measured in README "Threads".
#pragma once
#include <string>

namespace rflab::core {

struct BlasInfo {
  std::string library;    // path of the loaded libblas / libopenblas, or "" if none found
  bool is_openblas = false;
  int openblas_threads = 0;  // 0 when not OpenBLAS
};

BlasInfo blas_info();

// torch_threads = libtorch intra-op threads, blas_threads = OpenBLAS pool size; 0 = default.
struct ThreadChoice {
  int torch_threads = 0;
  int blas_threads = 0;
};

// The default: libtorch 1 intra-op thread, OpenBLAS all cores (README "Threads").
ThreadChoice default_threads();

// `--threads N`: N = total cores to use; torch intra-op 1, OpenBLAS N.
ThreadChoice threads_for(int n);

void configure_threads(const ThreadChoice& t);

// Returns a warning text (empty when none): the reference BLAS is in use, so matrix
// products run ~25x slower; names the fix.
std::string reference_blas_warning();

}  // namespace rflab::core
