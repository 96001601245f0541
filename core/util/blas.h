// Direct single-precision GEMM on the BLAS that libtorch loaded, for kernels that run many
// small products inside their own parallel loop (per sample and head in attention), where
// ATen's bmm would loop over the batch with one dispatch and one threaded BLAS call per matrix.
#pragma once
#include <cstdint>
#include <string>

namespace rflab::core {

// Whether the process has a BLAS sgemm_ (any libtorch linked against a system BLAS does).
bool has_sgemm();

// Row-major C = alpha · op(A) · op(B) + beta · C, op(X) = X or Xᵀ; A is m×k after op, B k×n,
// C m×n, each with its row stride (lda, ldb, ldc). Requires has_sgemm().
void sgemm_rows(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// OpenBLAS's pool size, or 0 when the loaded BLAS is not OpenBLAS.
int openblas_threads();
// The kernel family OpenBLAS runs ("SkylakeX", "Haswell", "Prescott"), or "" when not OpenBLAS.
std::string openblas_core();
// Sets OpenBLAS's pool size; no effect on other BLAS libraries.
void set_openblas_threads(int n);

// Keeps OpenBLAS to one thread for its lifetime, so that products issued from several of our own
// threads at once do not each wake OpenBLAS's pool. No effect on other BLAS libraries.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace rflab::core
