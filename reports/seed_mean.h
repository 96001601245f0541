// The mean of one figure over a variant's seeds with the Student-t interval over seeds,
// mean ± t_{(1+level)/2, k−1}·s/√k (s the sample SD of the k per-seed figures): how the reports
// give a per-variant figure its interval when the seeds are the only repeats.
#pragma once
#include <vector>

#include "reports/bootstrap.h"
#include "reports/float_constants.h"

namespace rflab::reports {

struct SeedMean {
  double mean = kNaN;       // NaN when no seed has the figure
  Interval ci{kNaN, kNaN};  // NaN with fewer than two seeds
  int k = 0;                // the seeds that have the figure
};

// Non-finite values are figures a seed lacks and are left out. Throws std::invalid_argument when
// level is outside (0, 1).
SeedMean seed_mean(const std::vector<double>& values, double level = 0.95);

}  // namespace rflab::reports
