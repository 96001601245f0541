// Data parallelism over the cores (core/util/shards.h): every part runs once, on at most the
// intra-op threads, with the caller's grad mode and one OpenBLAS thread; errors come back.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/util/blas.h"
#include "core/util/shards.h"
#include "core/util/threads.h"

using namespace rflab::core;

namespace {
struct TwoThreads {
  TwoThreads() {
    ThreadChoice t;
    t.torch_threads = t.blas_threads = 2;
    configure_threads(t);
  }
};
}  // namespace

TEST(PartBounds, CoverTheRangeInPartsThatDifferByAtMostOne) {
  for (int64_t n : {0, 1, 7, 64, 100, 257})
    for (int64_t parts : {1, 2, 3, 4, 7, 300}) {
      const auto b = part_bounds(n, parts);
      ASSERT_GE(b.size(), 2u);
      EXPECT_EQ(b.front(), 0);
      EXPECT_EQ(b.back(), n);
      EXPECT_LE(static_cast<int64_t>(b.size()) - 1, std::max<int64_t>(n, 1));
      int64_t lo = n, hi = 0;
      for (size_t p = 0; p + 1 < b.size(); ++p) {
        lo = std::min(lo, b[p + 1] - b[p]);
        hi = std::max(hi, b[p + 1] - b[p]);
      }
      EXPECT_LE(hi - lo, 1) << n << " in " << parts;
    }
  EXPECT_EQ(part_bounds(100, 4), (std::vector<int64_t>{0, 25, 50, 75, 100}));
}

TEST(InferenceParts, AtMostSixtyFourRowsEachInAnEvenCountWhateverTheThreads) {
  for (int threads : {1, 2}) {
    ThreadChoice t;
    t.torch_threads = t.blas_threads = threads;
    configure_threads(t);
    EXPECT_EQ(inference_parts(100, 2), 4);  // 200 rows: 4 parts of 50
    EXPECT_EQ(inference_parts(256, 1), 4);
    EXPECT_EQ(inference_parts(100, 1), 2);
    EXPECT_EQ(inference_parts(3, 2), 2);    // never fewer than two
    EXPECT_EQ(inference_parts(200, 2), 8);  // 7 would leave one core a part more
  }
  TwoThreads two;
}

TEST(RunShards, EveryPartRunsOnceOnAtMostTheIntraOpThreads) {
  TwoThreads two;
  std::vector<std::atomic<int>> runs(9);
  std::mutex m;
  std::set<std::thread::id> threads;
  run_shards(9, [&](int64_t p) {
    runs[p]++;
    std::lock_guard<std::mutex> lock(m);
    threads.insert(std::this_thread::get_id());
  });
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_GE(threads.size(), 1u);
  EXPECT_LE(threads.size(), 2u);
}

TEST(RunShards, PartsRunWithTheCallersGradModeOneBlasThreadAndNoNestedParallelism) {
  TwoThreads two;
  for (bool grad : {true, false}) {
    at::AutoGradMode mode(grad);
    std::atomic<int> wrong_mode{0}, blas_threads_seen{0}, nested_threads{0};
    run_shards(4, [&](int64_t) {
      if (at::GradMode::is_enabled() != grad) wrong_mode++;
      blas_threads_seen = std::max(blas_threads_seen.load(), openblas_threads());
      nested_threads = std::max<int>(nested_threads.load(), static_cast<int>(shard_threads()));
      // A product inside a part: the caller's grad mode decides whether it records a graph.
      auto w = torch::ones({3, 3}, torch::requires_grad());
      if (torch::mm(w, w).requires_grad() != grad) wrong_mode++;
    });
    EXPECT_EQ(wrong_mode.load(), 0) << "grad " << grad;
    if (openblas_threads() > 0) EXPECT_EQ(blas_threads_seen.load(), 1);
    EXPECT_EQ(nested_threads.load(), 1);
  }
  if (openblas_threads() > 0) EXPECT_EQ(openblas_threads(), 2);  // restored
}

TEST(RunShards, APartsErrorIsRethrownAndTheBlasPoolRestored) {
  TwoThreads two;
  std::atomic<int> ran{0};
  EXPECT_THROW(run_shards(4,
                          [&](int64_t p) {
                            ran++;
                            if (p == 2) throw std::runtime_error("part 2 failed");
                          }),
               std::runtime_error);
  EXPECT_GE(ran.load(), 1);
  if (openblas_threads() > 0) EXPECT_EQ(openblas_threads(), 2);
}
