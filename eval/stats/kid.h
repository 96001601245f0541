// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared MMD
// under the cubic polynomial kernel k(x, y) = (x·y/d + 1)^3, averaged over random subsets.
// Unlike FID it has an unbiased estimator, so small-N comparisons are not skewed by N.
#pragma once
#include <Eigen/Dense>
#include <cstdint>

namespace rflab::eval {

struct KidResult {
  double mean = 0;     // mean of the per-subset MMD^2 estimates
  double stderr_ = 0;  // stddev / sqrt(subsets); NaN for a single subset
  int64_t subsets = 0;
  int64_t subset_size = 0;  // after clipping to min(n_a, n_b)
  double stddev = 0;        // over subsets, the spread torch-fidelity and clean-fid report
};

// Unbiased MMD^2 of two samples (rows), sizes m and n >= 2 each: off-diagonal kernel means
// within each sample minus twice the cross mean.
double mmd2_unbiased(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y);

// `subsets` draws of `subset_size` rows without replacement from each side, from a generator
// seeded with `seed`, so equal inputs and seed give equal results on every platform. Returns
// NaN figures when any feature is non-finite. Throws UserError on unequal dimensions, fewer
// than 2 rows or subsets < 1.
KidResult kid(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, int64_t subsets = 100,
              int64_t subset_size = 1000, uint64_t seed = 0);

}  // namespace rflab::eval
