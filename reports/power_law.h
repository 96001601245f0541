// The saturating power law of the scaling study (SPEC §8): validation loss L against training
// compute C (FLOPs or steps), L(C) = a·C^(−b) + c, with a > 0, b > 0 and an irreducible loss
// c >= 0.
//
// Fit: minimise the mean Huber loss (threshold huber_delta, default 0.05) of the log residuals
// r_i = log L_i − log(a·C_i^(−b) + c); on log residuals the threshold is a relative error (5%),
// so a few diverged or mislogged points do not drag the curve. The optimiser is Levenberg–
// Marquardt on the IRLS-weighted Gauss–Newton system, with an analytic Jacobian, in the
// parameters (log a, log b, c): a and b stay positive by construction and c >= 0 is a bound
// (a step that would make c negative is projected onto c = 0), so a pure power law fits c = 0
// exactly. C is divided internally by the geometric mean of the C_i for conditioning.
// It starts from every b in {0.05, 0.1, 0.2, 0.35, 0.5, 0.8} times c in {0, 0.5·min L,
// 0.9·min L}, with a set by least squares given (b, c), and keeps the lowest objective.
//
// Intervals: case-resampling bootstrap over groups (the points sharing a group id, e.g. one
// seed or one depth, are drawn together; group −1 makes a point its own group), each resample
// refitted from the full-data optimum (and from the whole grid of starts if that fails), with
// percentile intervals at options.level. A resample with fewer than 3 distinct C, or whose fit
// does not converge to finite parameters, is skipped and counted in resamples_failed.
#pragma once
#include <cstdint>
#include <vector>

#include "reports/bootstrap.h"

namespace rflab::reports {

struct PowerLawPoint {
  double x = 0;        // C: training FLOPs or steps, > 0
  double y = 0;        // L: loss, > 0
  int64_t group = -1;  // bootstrap group; −1: a group of its own
};

struct PowerLawOptions {
  double huber_delta = 0.05;  // on log residuals; a huge value gives least squares in log space
  int resamples = kBootstrapResamples;  // 0 skips the bootstrap (intervals and bands are NaN)
  uint64_t seed = kBootstrapSeed;
  double level = 0.90;
};

struct PowerLawParams {
  double a = 0, b = 0, c = 0;
  double predict(double x) const;  // a·x^(−b) + c
};

struct PowerLawFit {
  double a = 0, b = 0, c = 0;     // L = a·x^(−b) + c
  Interval a_ci, b_ci, c_ci;      // bootstrap percentile intervals at `level`; NaN without resamples
  double level = 0.90;
  double objective = 0;           // mean Huber loss of the log residuals at the optimum
  double rmse_log = 0;            // sqrt(mean r_i²)
  int n_points = 0, n_groups = 0;
  int resamples_used = 0, resamples_failed = 0;
  // The optimiser stopped on a small step or where no step lowers the objective, not on its
  // iteration cap. False typically means data that pin no curvature (a short or flat range of
  // x), where b runs off towards a step function: read a, b, c as meaningless then.
  bool converged = false;
  std::vector<PowerLawParams> bootstrap;  // the fits of the used resamples, in resample order

  double predict(double x) const;
  // Pointwise band: the `level` percentile interval of predict(x) over the bootstrap fits.
  Interval band(double x) const;
};

// Throws std::invalid_argument on fewer than 3 points or 3 distinct x, on a non-positive or
// non-finite x or y, and on options out of range (huber_delta <= 0, resamples < 0, level
// outside (0, 1)).
PowerLawFit fit_power_law(const std::vector<PowerLawPoint>& points, const PowerLawOptions& options = {});

}  // namespace rflab::reports
