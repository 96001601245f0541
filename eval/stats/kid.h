// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared MMD
// under the cubic polynomial kernel k(x, y) = (x·y/d + 1)^3, averaged over random subsets.
// Unlike FID it has an unbiased estimator, so small-N comparisons are not skewed by N.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

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

// The rows of one KID subset, ascending: indices into the first and the second sample.
struct KidSubset {
  std::vector<Eigen::Index> a, b;
};

// The subsets kid() averages over: for each subset, subset_size distinct rows of the first
// sample, then of the second, drawn from mt19937_64(seed) by a partial Fisher-Yates shuffle and
// then sorted (so that reading a kernel's rows walks its columns forwards).
std::vector<KidSubset> kid_subsets(int64_t n_a, int64_t n_b, int64_t subsets, int64_t subset_size,
                                   uint64_t seed);

// Up to this many rows in both samples together (and when it is cheaper than one kernel per
// subset), kid() computes the kernel of all pairs of rows once and reads every subset from it.
inline constexpr int64_t kKidKernelCacheRows = 12000;

// `subsets` draws of `subset_size` rows without replacement from each side, from a generator
// seeded with `seed`, so equal inputs and seed give equal results on every platform. Returns
// NaN figures when any feature is non-finite. Throws UserError on unequal dimensions, fewer
// than 2 rows or subsets < 1.
KidResult kid(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, int64_t subsets = 100,
              int64_t subset_size = 1000, uint64_t seed = 0);

}  // namespace rflab::eval
