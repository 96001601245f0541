#include "reports/correlation.h"
#include "reports/float_constants.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace rflab::reports {
namespace {

constexpr double kSqrt2Pi = 2.5066282746310002;

void check_inputs(const char* name, const std::vector<double>& x, const std::vector<double>& y, double level) {
  if (x.size() != y.size())
    throw std::invalid_argument(fmt::format("{}: x has {} values but y has {}", name, x.size(), y.size()));
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw std::invalid_argument(fmt::format("{}: value {} is not finite (x = {}, y = {})", name, i, x[i], y[i]));
  if (!(level > 0 && level < 1))
    throw std::invalid_argument(fmt::format("{}: level must lie in (0, 1), got {}", name, level));
}

bool constant(const std::vector<double>& v) {
  return v.empty() || *std::min_element(v.begin(), v.end()) == *std::max_element(v.begin(), v.end());
}

// r and its Fisher-z interval; `variance_factor` is 1 for Pearson and 1.06 for Spearman.
Correlation correlate(const std::vector<double>& x, const std::vector<double>& y, double level,
                      double variance_factor) {
  Correlation out;
  out.n = static_cast<int>(x.size());
  out.level = level;
  out.ci = {kNaN, kNaN};
  if (constant(x) || constant(y)) {
    out.r = kNaN;
    out.note = "x or y has zero variance: the correlation is undefined";
    return out;
  }
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  // Rounding can push |r| a hair past 1, where atanh is NaN.
  out.r = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  if (out.n < 4) {
    out.note = fmt::format("n = {} < 4: the Fisher-z interval needs n - 3 > 0", out.n);
    return out;
  }
  if (std::abs(out.r) == 1) {
    // atanh(±1) is infinite: the interval would be [r, r], a certainty n points cannot give.
    out.note = fmt::format("|r| = 1 on n = {} points: the Fisher-z interval is undefined", out.n);
    return out;
  }
  const double z = std::atanh(out.r);
  const double half = inverse_normal_cdf(0.5 + level / 2) * std::sqrt(variance_factor / (n - 3));
  out.ci = {std::tanh(z - half), std::tanh(z + half)};
  return out;
}

}  // namespace

std::vector<double> average_ranks(const std::vector<double>& values) {
  for (double v : values)
    if (!std::isfinite(v)) throw std::invalid_argument(fmt::format("average_ranks: value {} is not finite", v));
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start … end−1 hold one value; their 1-based ranks average to (start + end + 1)/2.
    const double rank = 0.5 * static_cast<double>(start + end + 1);
    for (size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

Correlation pearson(const std::vector<double>& x, const std::vector<double>& y, double level) {
  check_inputs("pearson", x, y, level);
  return correlate(x, y, level, 1.0);
}

Correlation spearman(const std::vector<double>& x, const std::vector<double>& y, double level) {
  check_inputs("spearman", x, y, level);
  return correlate(average_ranks(x), average_ranks(y), level, 1.06);
}

double inverse_normal_cdf(double p) {
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("inverse_normal_cdf: p = {} outside [0, 1]", p));
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  // Acklam's coefficients: a rational function of p − 1/2 in the centre, of sqrt(−2 log p) in
  // the tails, with relative error below 1.15e-9.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  auto tail = [&](double q) {  // the lower tail at q = sqrt(−2 log p)
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  double x;
  if (p < p_low) {
    x = tail(std::sqrt(-2 * std::log(p)));
  } else if (p > 1 - p_low) {
    x = -tail(std::sqrt(-2 * std::log1p(-p)));
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley step on Φ(x) − p, with Φ from erfc, which keeps its relative accuracy in the
  // lower tail; the upper tail works on the complement for the same reason.
  const double e = p <= 0.5 ? 0.5 * std::erfc(-x / std::sqrt(2.0)) - p : (1 - p) - 0.5 * std::erfc(x / std::sqrt(2.0));
  const double u = e * kSqrt2Pi * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

}  // namespace rflab::reports
