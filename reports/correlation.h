// Correlation coefficients with Fisher-z confidence intervals, for correlating final validation
// loss with sample-quality metrics across depths (SPEC §8).
//
// Pearson: z = atanh r, SE = 1/sqrt(n − 3). Spearman: the Pearson coefficient of the average
// ranks, with the Fieller–Hartley–Pearson SE = sqrt(1.06/(n − 3)). The interval is
// tanh(z ± Φ⁻¹((1 + level)/2)·SE), so it is asymmetric in r and stays inside [−1, 1].
#pragma once
#include <string>
#include <vector>

#include "reports/bootstrap.h"

namespace rflab::reports {

struct Correlation {
  double r = 0;       // NaN when x or y has zero variance (fewer than 2 points included)
  int n = 0;
  Interval ci;        // at `level`; NaN bounds when n < 4 or r is NaN
  double level = 0.90;
  std::string note;   // empty, or why r or the interval is undefined
};

// Throw std::invalid_argument when x and y differ in length or hold a non-finite value, or
// when level lies outside (0, 1).
Correlation pearson(const std::vector<double>& x, const std::vector<double>& y, double level = 0.90);
Correlation spearman(const std::vector<double>& x, const std::vector<double>& y, double level = 0.90);

// 1-based ranks; tied values share the mean of the ranks they span. Throws std::invalid_argument
// on a non-finite value.
std::vector<double> average_ranks(const std::vector<double>& values);

// Φ⁻¹(p), the standard normal quantile, to about 1e-15 relative: Acklam's rational
// approximation refined by one Halley step on std::erfc. ±inf at p = 0 and 1; throws
// std::invalid_argument outside [0, 1].
double inverse_normal_cdf(double p);

}  // namespace rflab::reports
