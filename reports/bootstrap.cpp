#include "reports/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace rflab::reports {

uint64_t Resampler::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

size_t Resampler::index(size_t n) {
  if (n == 0) throw std::invalid_argument("Resampler::index: n must be positive");
  const uint64_t range = static_cast<uint64_t>(n);
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
  uint64_t x;
  do x = next();
  while (x >= limit);
  return static_cast<size_t>(x % range);
}

std::vector<size_t> Resampler::resample(size_t n) {
  std::vector<size_t> out(n);
  for (auto& i : out) i = index(n);
  return out;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile: no values");
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("quantile: q must lie in [0, 1]");
  for (auto& v : values)
    if (!std::isfinite(v)) v = std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end());
  const double h = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  if (lo == hi || values[lo] == values[hi]) return values[lo];
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Interval percentile_interval(const std::vector<double>& values, double level) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument("percentile_interval: level must lie in (0, 1)");
  const double tail = (1 - level) / 2;
  return {quantile(values, tail), quantile(values, 1 - tail)};
}

}  // namespace rflab::reports
