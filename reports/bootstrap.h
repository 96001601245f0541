// Resampling for the intervals of every report: a generator whose stream is fixed by its seed on
// every platform (std::uniform_int_distribution is implementation-defined, so it is not used),
// and percentile intervals. The same seed gives the same intervals everywhere.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rflab::reports {

// splitmix64: one 64-bit state, one multiply-xorshift output per draw.
class Resampler {
 public:
  explicit Resampler(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, n) without modulo bias (rejection on the top of the range). n > 0.
  size_t index(size_t n);
  // n draws with replacement from [0, n): one bootstrap resample of n cases.
  std::vector<size_t> resample(size_t n);

 private:
  uint64_t state_;
};

struct Interval {
  double lo = 0, hi = 0;
  bool contains(double x) const { return lo <= x && x <= hi; }
  bool overlaps(const Interval& o) const { return lo <= o.hi && o.lo <= hi; }
};

// The q-quantile (0 <= q <= 1) by linear interpolation between order statistics (R's type 7,
// numpy's default). Non-finite values are kept and sort as +inf (a diverged case is the worst).
// Throws std::invalid_argument on an empty input.
double quantile(std::vector<double> values, double q);

// Central percentile interval at `level` (0.90: the 5% and 95% quantiles).
Interval percentile_interval(const std::vector<double>& values, double level);

// Default number of bootstrap resamples and seed of every report.
inline constexpr int kBootstrapResamples = 1000;
inline constexpr uint64_t kBootstrapSeed = 20240305;

}  // namespace rflab::reports
