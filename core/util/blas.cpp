#include "core/util/blas.h"

#include <dlfcn.h>

#include <cstddef>
#include <stdexcept>

namespace rflab::core {

namespace {
// The Fortran interface; the two trailing lengths are the hidden CHARACTER lengths.
using sgemm_fn = void (*)(const char*, const char*, const int*, const int*, const int*, const float*, const float*,
                          const int*, const float*, const int*, const float*, float*, const int*, size_t, size_t);
using set_threads_fn = void (*)(int);
using get_threads_fn = int (*)();
using get_corename_fn = char* (*)();

sgemm_fn sgemm() {
  static const sgemm_fn f = reinterpret_cast<sgemm_fn>(dlsym(RTLD_DEFAULT, "sgemm_"));
  return f;
}
set_threads_fn openblas_set() {
  static const auto f = reinterpret_cast<set_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return f;
}
get_threads_fn openblas_get() {
  static const auto f = reinterpret_cast<get_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return f;
}
get_corename_fn openblas_corename() {
  static const auto f = reinterpret_cast<get_corename_fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return f;
}
}  // namespace

std::string openblas_core() {
  if (!openblas_corename()) return "";
  const char* name = openblas_corename()();
  return name ? name : "";
}

bool has_sgemm() { return sgemm() != nullptr; }

int openblas_threads() { return openblas_get() ? openblas_get()() : 0; }

void set_openblas_threads(int n) {
  if (openblas_set()) openblas_set()(n);
}

void sgemm_rows(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  auto f = sgemm();
  if (!f) throw std::logic_error("sgemm_rows: no BLAS sgemm_ in the process");
  // Row-major C (m×n) is column-major Cᵀ (n×m) = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
  const char ta = trans_b ? 'T' : 'N', tb = trans_a ? 'T' : 'N';
  const int M = static_cast<int>(n), N = static_cast<int>(m), K = static_cast<int>(k);
  const int LDA = static_cast<int>(ldb), LDB = static_cast<int>(lda), LDC = static_cast<int>(ldc);
  f(&ta, &tb, &M, &N, &K, &alpha, b, &LDA, a, &LDB, &beta, c, &LDC, 1, 1);
}

SingleThreadedBlas::SingleThreadedBlas() : previous_(openblas_threads()) {
  if (previous_ > 1) set_openblas_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (previous_ > 1) set_openblas_threads(previous_);
}

}  // namespace rflab::core
