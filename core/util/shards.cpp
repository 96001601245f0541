#include "core/util/shards.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>

#include "core/util/blas.h"

namespace rflab::core {

int64_t shard_threads() { return at::in_parallel_region() ? 1 : at::get_num_threads(); }

void run_shards(int64_t n, const std::function<void(int64_t)>& part) {
  if (n <= 1 || shard_threads() <= 1) {
    for (int64_t i = 0; i < n; ++i) part(i);
    return;
  }
  // Grad mode is thread-local: the pool's threads have their own, so each part takes the caller's.
  const bool grad = at::GradMode::is_enabled();
  SingleThreadedBlas one_blas_thread;
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    at::AutoGradMode mode(grad);
    for (int64_t i = begin; i < end; ++i) part(i);
  });
}

std::vector<int64_t> part_bounds(int64_t n, int64_t parts) {
  parts = std::clamp<int64_t>(parts, 1, std::max<int64_t>(n, 1));
  std::vector<int64_t> bounds(parts + 1);
  for (int64_t p = 0; p <= parts; ++p) bounds[p] = n * p / parts;
  return bounds;
}

int64_t inference_parts(int64_t n, int64_t rows_per_sample) {
  const int64_t fewest = (n * rows_per_sample + kRowsPerPart - 1) / kRowsPerPart;
  return std::max<int64_t>(2, (fewest + 1) / 2 * 2);
}

}  // namespace rflab::core
