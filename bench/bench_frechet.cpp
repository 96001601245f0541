// Cost of the Fréchet distance at the paper's feature size (2048-d, Inception pool features)
// and of fitting the Gaussian it compares.
#include <benchmark/benchmark.h>

#include "bench/bench_main.h"

#include <random>

#include "eval/stats/frechet.h"
#include "eval/stats/kid.h"

namespace {

Eigen::MatrixXd random_features(int64_t n, int64_t d, uint64_t seed, double shift) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  Eigen::MatrixXd x(n, d);
  for (int64_t j = 0; j < d; ++j)
    for (int64_t i = 0; i < n; ++i) x(i, j) = normal(gen);
  return x;
}

// Two full-rank 2048-d covariances (4096 samples each): two symmetric eigendecompositions.
void BM_FrechetDistanceCovariance(benchmark::State& state) {
  const int64_t d = state.range(0);
  const auto a = rflab::eval::gaussian_stats(random_features(2 * d, d, 1, 0.0));
  const auto b = rflab::eval::gaussian_stats(random_features(2 * d, d, 2, 0.1));
  for (auto _ : state) benchmark::DoNotOptimize(rflab::eval::frechet_distance(a, b));
  state.SetItemsProcessed(state.iterations());  // distances per second
  state.counters["dim"] = double(d);
}
BENCHMARK(BM_FrechetDistanceCovariance)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();

// The exact route for n < d (1000 samples of 2048-d per side).
void BM_FrechetDistanceGram(benchmark::State& state) {
  const int64_t n = state.range(0), d = 2048;
  const auto a = random_features(n, d, 3, 0.0), b = random_features(n, d, 4, 0.1);
  for (auto _ : state) benchmark::DoNotOptimize(rflab::eval::frechet_distance(a, b));
  state.SetItemsProcessed(state.iterations());
  state.counters["samples"] = double(n);
}
BENCHMARK(BM_FrechetDistanceGram)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Mean and covariance of 2048 samples of 2048-d features; items are samples.
void BM_GaussianStats(benchmark::State& state) {
  const int64_t n = state.range(0), d = 2048;
  const auto x = random_features(n, d, 5, 0.0);
  for (auto _ : state) benchmark::DoNotOptimize(rflab::eval::gaussian_stats(x));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_GaussianStats)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();

// KID of 2048-d features with S subsets of 1000 samples (rflab fid --kid takes 100, the default);
// items are subsets.
void BM_Kid(benchmark::State& state) {
  const int64_t subsets = state.range(0);
  const auto a = random_features(1000, 2048, 6, 0.0), b = random_features(1000, 2048, 7, 0.1);
  for (auto _ : state) benchmark::DoNotOptimize(rflab::eval::kid(a, b, subsets, 1000, 0).mean);
  state.SetItemsProcessed(state.iterations() * subsets);
}
BENCHMARK(BM_Kid)->ArgName("subsets")->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

RFLAB_BENCHMARK_MAIN()
