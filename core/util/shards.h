// Data parallelism over the cores: work split into independent parts, each part on one core with
// single-threaded kernels (nested ATen parallel loops run inline; OpenBLAS keeps to one thread).
// On the 2-core machines rflab is measured on, the models' small products and elementwise
// kernels divide poorly between two threads, and their activations outgrow the caches at large
// batches: parts of a few dozen rows, one core each, run a sampling forward ~1.3x and a training
// step ~1.15x faster than the whole batch on two threads (bench_train_step: BM_SampleForward,
// BM_TrainStepShards; README "Threads").
//
// A result must not depend on which thread ran which part, nor on the thread count: each part
// runs single-threaded, and the part count depends on the work alone, never on the threads, with
// parts combined in a fixed order. (It may differ in the last bits from another split of the same
// work: OpenBLAS's products round differently at different row counts.)
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace rflab::core {

// How many threads run_shards uses: libtorch's intra-op thread count (1 inside a parallel region).
int64_t shard_threads();

// Runs part(0) ... part(n - 1), concurrently on up to shard_threads() threads, each part on one
// thread (threads take contiguous blocks of parts). Grad mode inside each part is the caller's.
// The first exception a part throws is rethrown here, after every thread has stopped.
void run_shards(int64_t n, const std::function<void(int64_t)>& part);

// The bounds of `parts` contiguous ranges covering [0, n) whose sizes differ by at most one:
// parts + 1 values, 0 first and n last (parts is clamped to [1, max(n, 1)]).
std::vector<int64_t> part_bounds(int64_t n, int64_t parts);

// Parts for inference over n samples of `rows_per_sample` network rows each (2 under guidance):
// the fewest parts of at most kRowsPerPart rows, rounded up to an even count so that two cores
// share them equally. It depends on the work alone, so results do not depend on the threads.
constexpr int64_t kRowsPerPart = 64;
int64_t inference_parts(int64_t n, int64_t rows_per_sample);

}  // namespace rflab::core
