#include "core/util/sgemm_rate.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "core/util/blas.h"

namespace rflab::core {

double sgemm_gflops(const SgemmShape& s, int repeats) {
  if (s.m < 1 || s.k < 1 || s.n < 1 || repeats < 1)
    throw std::invalid_argument("sgemm_gflops: expected a non-empty shape and at least one repeat");
  // Operands of small integers times 1/8: exact in fp32, no denormals, the same every call.
  std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n));
  std::vector<float> c(static_cast<size_t>(s.m * s.n));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 7) * 0.125f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i % 5) * 0.125f;
  auto product = [&] {
    sgemm_rows(false, false, s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), s.n, 0.0f, c.data(), s.n);
  };
  product();  // warm-up: OpenBLAS's threads wake, the pages are touched
  double best = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    product();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) * static_cast<double>(s.n) /
                              std::max(seconds, 1e-9) / 1e9);
  }
  return best;
}

}  // namespace rflab::core
