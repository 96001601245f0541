// Student's t distribution and Welch's unequal-variance interval for the difference of two means,
// for "did this commit move the metric?" with a handful of seeds on each side.
//
// The t CDF goes through the regularized incomplete beta function: for t < 0,
// F(t; ν) = I_x(ν/2, 1/2) / 2 with x = ν/(ν + t²), and F(t) = 1 − F(−t). I_x is a continued
// fraction (modified Lentz) with the log-beta prefactor taken from a Stirling difference when one
// argument is large, so ν up to 1e6 keeps ~1e-12 accuracy; ν = +inf is the standard normal.
// The quantile inverts the CDF by Newton steps kept inside a bisection bracket.
//
// Welch: d = mean(head) − mean(base), se = sqrt(s_b²/n_b + s_h²/n_h) with the n − 1 sample
// variances, ν = se⁴ / ((s_b²/n_b)²/(n_b − 1) + (s_h²/n_h)²/(n_h − 1)) (Welch–Satterthwaite),
// interval d ± t_{(1+level)/2, ν}·se, p = 2·F(−|d|/se; ν).
#pragma once
#include <string>
#include <vector>

#include "reports/bootstrap.h"

namespace rflab::reports {

// Student's t with df > 0 degrees of freedom (df need not be an integer; df = +inf is the
// normal). NaN for a NaN t; throws std::invalid_argument when df <= 0 or is NaN.
double student_t_cdf(double t, double df);
// The p-quantile, to ~1e-12 relative: ∓inf at p = 0 and 1 (and where the quantile exceeds the
// double range). Throws std::invalid_argument when p lies outside [0, 1] or df <= 0.
double student_t_quantile(double p, double df);

struct WelchDifference {
  double difference = 0;   // mean(head) - mean(base)
  double se = 0;           // sqrt(s_b^2/n_b + s_h^2/n_h); NaN when a group has one value
  double df = 0;           // Welch–Satterthwaite; +inf when se == 0; NaN when a group has one value
  Interval ci;             // at `level`, difference ± t_{(1+level)/2, df} · se
  double p_value = 1;      // two-sided, for difference != 0
  int n_base = 0, n_head = 0;
  double level = 0.95;
  std::string note;        // empty, or why the interval is degenerate/undefined
};

// Edge cases:
// - a group with one value has no variance estimate: se, df, the ci bounds and p_value are NaN
//   (difference is still reported) and note says which group;
// - se == 0 (both groups constant): df = +inf; difference 0 gives ci [0, 0] and p_value 1, a
//   nonzero difference gives ci [d, d] and p_value 0; note says the groups have no spread.
// Throws std::invalid_argument on an empty group, a non-finite value, or level outside (0, 1).
WelchDifference welch_difference(const std::vector<double>& base, const std::vector<double>& head,
                                 double level = 0.95);

}  // namespace rflab::reports
