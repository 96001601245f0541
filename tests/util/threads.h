// The tests' one way to set the thread count: both pools (libtorch's intra-op and OpenBLAS's)
// at n threads, as rflab's --threads does.
#pragma once
#include "core/util/threads.h"

namespace rflab::testing {

inline void use_threads(int n) {
  core::ThreadChoice c;
  c.torch_threads = c.blas_threads = n;
  core::configure_threads(c);
}

}  // namespace rflab::testing
