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
