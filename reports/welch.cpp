#include "reports/welch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "reports/correlation.h"
#include "reports/float_constants.h"

namespace rflab::reports {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// A point x of (0, 1) with its complement y = 1 − x and both logarithms, each computed without
// cancellation: near x = 1 the information is all in y, and log x must not come from log(1 − y).
struct UnitPoint {
  double x, y, log_x, log_y;
};

// x = ν/(ν + t²), the incomplete-beta argument of the t tail at t. Written through r = |t|/√ν so
// that a huge t (t² overflows) still gives the right logarithm.
UnitPoint t_point(double t, double df) {
  const double r = std::abs(t) / std::sqrt(df);
  if (r <= 1) {
    const double s = r * r;
    return {1 / (1 + s), s / (1 + s), -std::log1p(s), std::log(s) - std::log1p(s)};
  }
  const double u = 1 / (r * r);
  return {u / (1 + u), 1 / (1 + u), -2 * std::log(r) - std::log1p(u), -std::log1p(u)};
}

// Stirling's correction lgamma(x) − ((x − ½)·log x − x + ½·log 2π), for x >= 10, where the
// truncated series is below 1e-15.
double stirling_correction(double x) {
  const double r = 1 / x, r2 = r * r;
  return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188 - r2 * 691.0 / 360360)))));
}

// log B(a, b). When the larger argument is big, lgamma(l) − lgamma(l + s) is a difference of two
// huge numbers; its Stirling form −(l − ½)·log1p(s/l) − s·log(l + s) + s + Δcorrection is not.
// (Accurate when the smaller argument is small, which is the t distribution's b = ½.)
double log_beta(double a, double b) {
  const double s = std::min(a, b), l = std::max(a, b);
  if (l < 10) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  return std::lgamma(s) - (l - 0.5) * std::log1p(s / l) - s * std::log(l + s) + s + stirling_correction(l) -
         stirling_correction(l + s);
}

// The continued fraction of I_x(a, b) (x below (a + 1)/(a + b + 2), where it converges fast):
// 1/(1 + d₁/(1 + d₂/(1 + …))) with d_{2m+1} = −(a+m)(a+b+m)x/((a+2m)(a+2m+1)) and
// d_{2m} = m(b−m)x/((a+2m−1)(a+2m)), by the modified Lentz method.
//
// For large a (the t distribution with many degrees of freedom) x is close to 1, every odd d is
// close to −1, and the plain recurrences 1 + d·D and 1 + d/C cancel to a few digits (4e-11 at
// ν = 1e6). So each odd step is written as (1 + d) + d·(D − 1) and ((1 + d) + (C − 1))/C, with
// D − 1 and C − 1 taken in closed form from the even step before, and with 1 + d itself from
// y = 1 − x: 1 + d_{2m+1} = (a(2m+1−b) + m(3m+2−b) + (a+m)(a+b+m)y) / ((a+2m)(a+2m+1)), a sum
// of positive terms when b < 1.
double beta_continued_fraction(double a, double b, double x, double y) {
  constexpr double tiny = 1e-300;
  auto clamp_tiny = [](double v) { return std::abs(v) < tiny ? tiny : v; };
  auto one_plus_odd = [&](double m, double odd) {
    if (b >= 1) return 1 + odd;
    return (a * (2 * m + 1 - b) + m * (3 * m + 2 - b) + (a + m) * (a + b + m) * y) / ((a + 2 * m) * (a + 2 * m + 1));
  };
  // The leading 1/(1 + d₁) enters as the first convergent, with C = 1.
  double c = 1, d = 1 / clamp_tiny(one_plus_odd(0, -(a + b) * x / (a + 1))), f = d;
  // The number of terms grows like sqrt(max(a, b)) near the switch-over point.
  const int max_m = 1000 + static_cast<int>(20 * std::sqrt(std::max(a, b)));
  for (int m = 1; m <= max_m; ++m) {
    const double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    const double d_prev = d, c_prev = c;
    d = 1 / clamp_tiny(1 + even * d);
    c = clamp_tiny(1 + even / c);
    f *= c * d;
    const double d_minus_1 = -even * d_prev * d, c_minus_1 = even / c_prev;
    const double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    const double p = one_plus_odd(m, odd);
    c = clamp_tiny((p + c_minus_1) / c);
    d = 1 / clamp_tiny(p + odd * d_minus_1);
    const double delta = c * d;
    f *= delta;
    if (std::abs(delta - 1) < 2 * kEps) return f;
  }
  throw std::runtime_error(fmt::format("incomplete beta: continued fraction did not converge (a = {}, b = {}, x = {})", a, b, x));
}

// x^a·y^b / (a·B(a, b)), the factor in front of the continued fraction.
double beta_front(double a, double b, double log_x, double log_y) {
  return std::exp(a * log_x + b * log_y - log_beta(a, b)) / a;
}

// The regularized incomplete beta I_x(a, b), through I_x(a, b) = 1 − I_y(b, a) above the point
// where the continued fraction for (a, b) stops converging quickly.
double regularized_incomplete_beta(double a, double b, const UnitPoint& p) {
  if (p.x < (a + 1) / (a + b + 2)) return beta_front(a, b, p.log_x, p.log_y) * beta_continued_fraction(a, b, p.x, p.y);
  return 1 - beta_front(b, a, p.log_y, p.log_x) * beta_continued_fraction(b, a, p.y, p.x);
}

// P(T <= −|t|), kept to full relative accuracy however far out.
double lower_tail(double t, double df) {
  if (std::isinf(t)) return 0;
  return 0.5 * regularized_incomplete_beta(df / 2, 0.5, t_point(t, df));
}

double density(double t, double df) {
  const UnitPoint p = t_point(t, df);
  return std::exp((df + 1) / 2 * p.log_x - log_beta(df / 2, 0.5) - 0.5 * std::log(df));
}

void check_df(const char* name, double df) {
  if (!(df > 0)) throw std::invalid_argument(fmt::format("{}: degrees of freedom must be positive, got {}", name, df));
}

// The t <= 0 with lower_tail(t) = q, for 0 < q < ½: a bracket [lo, hi] with
// lower_tail(lo) < q <= lower_tail(hi), found by doubling, then Newton steps that fall back to
// bisection whenever they would leave it.
double lower_quantile(double q, double df) {
  double hi = 0, lo = -1;
  while (lower_tail(lo, df) >= q) {
    hi = lo;
    lo *= 2;
    if (std::isinf(lo)) return -kInf;  // beyond the double range (tiny df, tiny q)
  }
  double x = inverse_normal_cdf(q);
  if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
  for (int iter = 0; iter < 200; ++iter) {
    const double f = lower_tail(x, df) - q;
    if (f == 0) return x;
    (f < 0 ? lo : hi) = x;
    double next = x - f / density(x, df);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 2 * kEps * std::abs(x)) return next;
    x = next;
  }
  return x;
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

// The n − 1 sample variance, two-pass.
double sample_variance(const std::vector<double>& v, double m) {
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return ss / static_cast<double>(v.size() - 1);
}

void check_group(const char* group, const std::vector<double>& v) {
  if (v.empty()) throw std::invalid_argument(fmt::format("welch_difference: the {} group is empty", group));
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw std::invalid_argument(fmt::format("welch_difference: {} value {} is not finite ({})", group, i, v[i]));
}

}  // namespace

double student_t_cdf(double t, double df) {
  check_df("student_t_cdf", df);
  if (std::isnan(t)) return kNaN;
  if (std::isinf(df)) return 0.5 * std::erfc(-t / std::sqrt(2.0));
  return t <= 0 ? lower_tail(t, df) : 1 - lower_tail(t, df);
}

double student_t_quantile(double p, double df) {
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("student_t_quantile: p = {} outside [0, 1]", p));
  check_df("student_t_quantile", df);
  if (std::isinf(df)) return inverse_normal_cdf(p);
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  // 1 − p is exact for p in [½, 1], so the upper half is the mirror of the lower.
  return p < 0.5 ? lower_quantile(p, df) : -lower_quantile(1 - p, df);
}

WelchDifference welch_difference(const std::vector<double>& base, const std::vector<double>& head, double level) {
  check_group("base", base);
  check_group("head", head);
  if (!(level > 0 && level < 1))
    throw std::invalid_argument(fmt::format("welch_difference: level must lie in (0, 1), got {}", level));
  WelchDifference out;
  out.n_base = static_cast<int>(base.size());
  out.n_head = static_cast<int>(head.size());
  out.level = level;
  const double m_base = mean(base), m_head = mean(head);
  out.difference = m_head - m_base;
  if (base.size() < 2 || head.size() < 2) {
    out.se = out.df = out.p_value = kNaN;
    out.ci = {kNaN, kNaN};
    const char* which = base.size() < 2 ? (head.size() < 2 ? "both groups have" : "the base group has") : "the head group has";
    out.note = fmt::format("{} a single value: with no variance estimate the interval and p-value are undefined", which);
    return out;
  }
  const double v_base = sample_variance(base, m_base) / static_cast<double>(base.size());
  const double v_head = sample_variance(head, m_head) / static_cast<double>(head.size());
  out.se = std::sqrt(v_base + v_head);
  if (out.se == 0) {
    out.df = kInf;
    out.ci = {out.difference, out.difference};
    out.p_value = out.difference == 0 ? 1 : 0;
    out.note = "both groups are constant: with no spread the interval is the single point of the difference";
    return out;
  }
  // Satterthwaite through the variance shares, which cannot underflow the way se⁴ can.
  const double w_base = v_base / (v_base + v_head), w_head = v_head / (v_base + v_head);
  out.df = 1 / (w_base * w_base / static_cast<double>(base.size() - 1) +
                w_head * w_head / static_cast<double>(head.size() - 1));
  const double half = student_t_quantile(0.5 + level / 2, out.df) * out.se;
  out.ci = {out.difference - half, out.difference + half};
  out.p_value = 2 * student_t_cdf(-std::abs(out.difference) / out.se, out.df);
  return out;
}

}  // namespace rflab::reports
