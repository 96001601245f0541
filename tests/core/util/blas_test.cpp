// sgemm_rows against torch::mm for every transpose combination, with padded row strides.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/util/blas.h"
#include "core/util/sgemm_rate.h"
#include "core/util/threads.h"

using namespace rflab::core;

namespace {
// A [rows, cols] view into a wider buffer, so the row stride differs from cols.
torch::Tensor padded(int64_t rows, int64_t cols, int64_t pad) {
  return torch::randn({rows, cols + pad}).narrow(1, 0, cols);
}
}  // namespace

TEST(Blas, SgemmRowsMatchesMatmulForEveryTranspose) {
  ASSERT_TRUE(has_sgemm());
  torch::manual_seed(0);
  const int64_t m = 7, n = 5, k = 11;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      auto a = ta ? padded(k, m, 3) : padded(m, k, 3);
      auto b = tb ? padded(n, k, 2) : padded(k, n, 2);
      auto c = padded(m, n, 4);
      auto c0 = c.clone();
      sgemm_rows(ta, tb, m, n, k, 0.5f, a.data_ptr<float>(), a.stride(0), b.data_ptr<float>(), b.stride(0), 2.0f,
                 c.data_ptr<float>(), c.stride(0));
      auto expected = 0.5 * torch::mm(ta ? a.t() : a, tb ? b.t() : b) + 2.0 * c0;
      EXPECT_TRUE(torch::allclose(c, expected, 1e-5, 1e-5)) << "ta=" << ta << " tb=" << tb;
    }
}

TEST(Blas, SingleThreadedScopeRestoresThePool) {
  ThreadChoice t;
  t.blas_threads = 2;
  configure_threads(t);
  if (!blas_info().is_openblas) GTEST_SKIP() << "not OpenBLAS";
  {
    SingleThreadedBlas one;
    EXPECT_EQ(blas_info().openblas_threads, 1);
  }
  EXPECT_EQ(blas_info().openblas_threads, 2);
}

TEST(SgemmRate, APositiveRateAndEmptyShapesRefused) {
  const double gflops = sgemm_gflops({64, 32, 48}, 2);
  EXPECT_TRUE(std::isfinite(gflops));
  EXPECT_GT(gflops, 0.0);
  EXPECT_THROW(sgemm_gflops({0, 32, 48}), std::invalid_argument);
  EXPECT_THROW(sgemm_gflops({64, 32, 48}, 0), std::invalid_argument);
}
