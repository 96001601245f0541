// Threads and BLAS detection.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
  EXPECT_EQ(torch::get_num_threads(), 1);
  EXPECT_EQ(blas_info().openblas_threads, 2);
  ThreadChoice t;
  t.torch_threads = 2;
  t.blas_threads = 1;
  configure_threads(t);
  EXPECT_EQ(torch::get_num_threads(), 2);
  EXPECT_EQ(blas_info().openblas_threads, 1);
}
