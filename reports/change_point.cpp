#include "reports/change_point.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "reports/float_constants.h"
#include "reports/welch.h"

namespace rflab::reports {
namespace {

void check_inputs(const std::vector<SeriesPoint>& series, const ChangePointOptions& options) {
  if (!(options.alpha > 0 && options.alpha <= 1))
    throw std::invalid_argument(fmt::format("find_change_points: alpha must lie in (0, 1], got {}", options.alpha));
  if (!(options.min_effect >= 0 && std::isfinite(options.min_effect)))
    throw std::invalid_argument(
        fmt::format("find_change_points: min_effect must be finite and >= 0, got {}", options.min_effect));
  for (size_t i = 0; i < series.size(); ++i) {
    const SeriesPoint& p = series[i];
    if (p.values.empty())
      throw std::invalid_argument(fmt::format("find_change_points: point {} ({}) has no values", i, p.label));
    for (size_t j = 0; j < p.values.size(); ++j)
      if (!std::isfinite(p.values[j]))
        throw std::invalid_argument(
            fmt::format("find_change_points: point {} ({}) seed value {} is not finite ({})", i, p.label, j, p.values[j]));
  }
}

// Prefix counts and sums of the seed values, shifted by the first seed value so that the
// differences of means do not cancel against a large common level; σ and ν; and each commit's
// first value, which is its every value when σ == 0.
struct Pooled {
  std::vector<double> count, sum;  // over points [0, i)
  std::vector<double> first;
  double shift = 0, sigma = 0, df = 0;

  double mean(size_t a, size_t b) const { return (sum[b] - sum[a]) / (count[b] - count[a]) + shift; }
  bool constant(size_t a, size_t b) const {
    return std::all_of(first.begin() + a, first.begin() + b, [&](double v) { return v == first[a]; });
  }
};

Pooled pool(const std::vector<SeriesPoint>& series) {
  Pooled out;
  out.shift = series.front().values.front();
  out.count.assign(series.size() + 1, 0);
  out.sum.assign(series.size() + 1, 0);
  double ss = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& values = series[i].values;
    out.first.push_back(values.front());
    // Deviations from the commit's own first value: exactly zero when its seeds agree, so that
    // rounding cannot invent a noise level of 1e-17 and with it infinite-looking t statistics.
    double s = 0, d_sum = 0;
    for (double v : values) {
      s += v - out.shift;
      d_sum += v - values.front();
    }
    const double d_mean = d_sum / static_cast<double>(values.size());
    for (double v : values) ss += (v - values.front() - d_mean) * (v - values.front() - d_mean);
    out.count[i + 1] = out.count[i] + static_cast<double>(values.size());
    out.sum[i + 1] = out.sum[i] + s;
    out.df += static_cast<double>(values.size() - 1);
  }
  if (out.df == 0)
    throw std::invalid_argument(
        "find_change_points: every commit has a single seed; the seeds are needed for the noise level");
  out.sigma = std::sqrt(ss / out.df);
  return out;
}

// The best split of [a, b) (b − a >= 2), before the acceptance test.
ChangePoint best_split(const Pooled& pooled, size_t a, size_t b) {
  ChangePoint best;
  double best_z = -1;  // |difference| / sqrt(1/N_l + 1/N_r): the t statistic without σ
  for (size_t k = a + 1; k < b; ++k) {
    const double before = pooled.mean(a, k), after = pooled.mean(k, b);
    const double n_left = pooled.count[k] - pooled.count[a], n_right = pooled.count[b] - pooled.count[k];
    const double z = (after - before) / std::sqrt(1 / n_left + 1 / n_right);
    if (std::abs(z) > best_z) {
      best_z = std::abs(z);
      best.index = k;
      best.before = before;
      best.after = after;
      best.t = z;
    }
  }
  if (pooled.sigma > 0) {
    best.t /= pooled.sigma;
    const double p = 2 * student_t_cdf(-std::abs(best.t), pooled.df);
    best.p_value = std::min(1.0, p * static_cast<double>(b - a - 1));
  } else if (pooled.constant(a, b)) {
    // Rounding in the prefix sums can leave a difference of 1e-17 between two means of one
    // repeated value; with σ == 0 that would read as an infinite t.
    best.t = 0;
    best.p_value = 1;
  } else {
    best.t = best.t > 0 ? kInf : -kInf;
    best.p_value = 0;
  }
  return best;
}

}  // namespace

std::vector<ChangePoint> find_change_points(const std::vector<SeriesPoint>& series, const ChangePointOptions& options) {
  check_inputs(series, options);
  if (series.size() < 2) return {};
  const Pooled pooled = pool(series);
  std::vector<ChangePoint> found;
  // An explicit stack of segments: a long noise-free ramp would otherwise recurse once per point.
  std::vector<std::pair<size_t, size_t>> segments = {{0, series.size()}};
  while (!segments.empty()) {
    const auto [a, b] = segments.back();
    segments.pop_back();
    if (b - a < 2) continue;
    const ChangePoint split = best_split(pooled, a, b);
    if (!(split.p_value < options.alpha && std::abs(split.after - split.before) >= options.min_effect)) continue;
    found.push_back(split);
    segments.emplace_back(a, split.index);
    segments.emplace_back(split.index, b);
  }
  std::sort(found.begin(), found.end(), [](const ChangePoint& x, const ChangePoint& y) { return x.index < y.index; });
  return found;
}

}  // namespace rflab::reports
