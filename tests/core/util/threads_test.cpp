// Threads and BLAS detection.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "core/util/threads.h"

using namespace rflab::core;

TEST(Blas, OpenBlasIsLoadedAfterSetup) {
  // scripts/setup installs libopenblas0-pthread; libtorch then resolves libblas.so.3 to it.
  torch::mm(torch::ones({4, 4}), torch::ones({4, 4}));
  auto info = blas_info();
  EXPECT_TRUE(info.is_openblas) << "libblas resolves to '" << info.library << "'";
  EXPECT_TRUE(reference_blas_warning().empty());
}

TEST(Threads, ConfigureSetsBothPools) {
  configure_threads(threads_for(2));
  // Two pools on all cores only when their idle threads sleep (set before the process started).
  EXPECT_EQ(torch::get_num_threads(), passive_waiting() ? 2 : 1);
  EXPECT_EQ(blas_info().openblas_threads, 2);
  ThreadChoice t;
  t.torch_threads = 2;
  t.blas_threads = 1;
  configure_threads(t);
  EXPECT_EQ(torch::get_num_threads(), 2);
  EXPECT_EQ(blas_info().openblas_threads, 1);
}

TEST(Threads, PassiveWaitingNeedsBothVariables) {
  const char* omp = std::getenv("OMP_WAIT_POLICY");
  const char* blas = std::getenv("OPENBLAS_THREAD_TIMEOUT");
  const bool expected = omp && std::string(omp) == "PASSIVE" && blas && std::atoi(blas) <= 8;
  EXPECT_EQ(passive_waiting(), expected);
  EXPECT_EQ(threads_for(3).torch_threads, expected ? 3 : 1);
  EXPECT_EQ(threads_for(3).blas_threads, 3);
  EXPECT_EQ(threads_for(0).blas_threads, 1);
}

namespace rflab::core {
namespace {

TEST(BlasEnvironment, KernelFamilyFollowsTheCpuFlags) {
  EXPECT_EQ(openblas_coretype_for(" fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl"), "SkylakeX");
  EXPECT_EQ(openblas_coretype_for("sse2 avx avx2 fma avx512f"), "Haswell");  // AVX-512 without BW/VL/DQ
  EXPECT_EQ(openblas_coretype_for("avx2 fma"), "Haswell");
  EXPECT_EQ(openblas_coretype_for("avx2"), "");  // no FMA: OpenBLAS's own choice
  EXPECT_EQ(openblas_coretype_for("avx2fma avx512fx"), "");  // whole words only
  EXPECT_EQ(openblas_coretype_for(""), "");
}

TEST(BlasEnvironment, OpenBlasNamesItsKernels) {
  const auto info = blas_info();
  if (!info.is_openblas) GTEST_SKIP() << "not OpenBLAS";
  EXPECT_FALSE(info.core.empty());
  // In a process started with OPENBLAS_CORETYPE (as rflab re-executes itself) OpenBLAS runs it.
  if (const char* set = std::getenv("OPENBLAS_CORETYPE")) EXPECT_EQ(info.core, set);
}

}  // namespace
}  // namespace rflab::core
