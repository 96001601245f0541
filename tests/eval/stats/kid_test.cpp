#include "eval/stats/kid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "results/error.h"
#include "tests/eval/stats/stats_test_util.h"

namespace rflab::eval {
namespace {

using testing::normal_features;

double poly3(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  return std::pow(x.dot(y) / double(x.size()) + 1.0, 3);
}

// The definitions written out pair by pair, independent of the matrix formulation.
double mmd2_by_loops(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, bool unbiased) {
  const int64_t m = x.rows(), n = y.rows();
  double xx = 0, yy = 0, xy = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      if (i != j || !unbiased) xx += poly3(x.row(i), x.row(j));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (i != j || !unbiased) yy += poly3(y.row(i), y.row(j));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) xy += poly3(x.row(i), y.row(j));
  const double pm = unbiased ? double(m) * (m - 1) : double(m) * m;
  const double pn = unbiased ? double(n) * (n - 1) : double(n) * n;
  return xx / pm + yy / pn - 2.0 * xy / (double(m) * n);
}

TEST(Mmd2, MatchesPairwiseDefinition) {
  const Eigen::MatrixXd x = normal_features(7, 5, 1), y = normal_features(9, 5, 2, 0.5);
  const double want = mmd2_by_loops(x, y, true);
  EXPECT_NEAR(mmd2_unbiased(x, y), want, 1e-12 * std::abs(want));
}

TEST(Kid, FullSizeSubsetsEqualTheWholeSampleEstimate) {
  // subset_size = n draws every row, only reordered, which leaves MMD^2 unchanged.
  const Eigen::MatrixXd a = normal_features(30, 6, 3), b = normal_features(30, 6, 4, 0.2);
  const KidResult r = kid(a, b, 4, 30, 9);
  const double whole = mmd2_unbiased(a, b);
  EXPECT_NEAR(r.mean, whole, 1e-12 * std::abs(whole));
  EXPECT_LE(r.stddev, 1e-12 * std::abs(whole));
}

// kid() is the mean of mmd2_unbiased over kid_subsets' rows, by either of its routes: the kernel
// of all rows computed once (few rows, many subsets) or one kernel per subset (the reverse).
void expect_mean_of_subset_estimates(int64_t n, int64_t subsets, int64_t subset_size) {
  const Eigen::MatrixXd a = normal_features(n, 8, 11), b = normal_features(n + 3, 8, 12, 0.3);
  const KidResult r = kid(a, b, subsets, subset_size, 5);
  double sum = 0, sum_sq = 0;
  for (const KidSubset& d : kid_subsets(a.rows(), b.rows(), subsets, subset_size, 5)) {
    const double e = mmd2_unbiased(a(d.a, Eigen::all), b(d.b, Eigen::all));
    sum += e;
    sum_sq += e * e;
  }
  const double mean = sum / double(subsets);
  const double sd = std::sqrt((sum_sq - double(subsets) * mean * mean) / double(subsets - 1));
  EXPECT_NEAR(r.mean, mean, 1e-12 * std::abs(mean));
  EXPECT_NEAR(r.stddev, sd, 1e-9 * sd);
}

TEST(Kid, IsTheMeanOfItsSubsetEstimatesFromTheSharedKernel) {
  expect_mean_of_subset_estimates(40, 30, 25);  // 83^2 <= 30 * 50^2: one kernel of all rows
}

TEST(Kid, IsTheMeanOfItsSubsetEstimatesFromPerSubsetKernels) {
  expect_mean_of_subset_estimates(300, 3, 10);  // 603^2 > 3 * 20^2: a kernel per subset
}

TEST(Kid, SubsetsAreDistinctRowsInRange) {
  for (const KidSubset& d : kid_subsets(50, 20, 7, 20, 3)) {
    ASSERT_EQ(d.a.size(), 20u);
    ASSERT_EQ(d.b.size(), 20u);
    std::vector<Eigen::Index> a = d.a, b = d.b;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
    EXPECT_GE(a.front(), 0);
    EXPECT_LT(a.back(), 50);
    for (Eigen::Index i = 0; i < 20; ++i) EXPECT_EQ(b[size_t(i)], i);  // all 20 rows of b
  }
}

TEST(Kid, IsUnbiasedForTwoSamplesOfOneDistribution) {
  // Averaged over independent repeats, the unbiased estimate is zero within its noise, while
  // the biased (V-statistic) estimate on the same draws sits clearly above zero.
  const int repeats = 300;
  double sum = 0, sum_sq = 0, biased = 0;
  for (int r = 0; r < repeats; ++r) {
    const Eigen::MatrixXd x = normal_features(12, 4, 1000 + 2 * r);
    const Eigen::MatrixXd y = normal_features(12, 4, 1001 + 2 * r);
    const double e = kid(x, y, 1, 12, uint64_t(r)).mean;
    sum += e;
    sum_sq += e * e;
    biased += mmd2_by_loops(x, y, false);
  }
  const double mean = sum / repeats;
  const double se = std::sqrt((sum_sq / repeats - mean * mean) / (repeats - 1));
  EXPECT_LT(std::abs(mean), 3.5 * se);
  EXPECT_GT(biased / repeats, 10.0 * se);
}

TEST(Kid, GrowsMonotonicallyAsTheShiftGrows) {
  const Eigen::MatrixXd a = normal_features(200, 8, 5), b = normal_features(200, 8, 6);
  double prev = -INFINITY;
  for (double shift : {0.0, 0.25, 0.5, 1.0, 2.0}) {
    const Eigen::MatrixXd shifted = b.array() + shift;
    const KidResult r = kid(a, shifted, 10, 100, 0);
    EXPECT_GT(r.mean, prev) << "shift " << shift;
    prev = r.mean;
  }
}

TEST(Kid, SameSeedSameResultOtherSeedOtherSubsets) {
  const Eigen::MatrixXd a = normal_features(60, 5, 7), b = normal_features(50, 5, 8, 0.3);
  const KidResult r1 = kid(a, b, 5, 20, 42), r2 = kid(a, b, 5, 20, 42), r3 = kid(a, b, 5, 20, 43);
  EXPECT_EQ(r1.mean, r2.mean);
  EXPECT_EQ(r1.stddev, r2.stddev);
  EXPECT_NE(r1.mean, r3.mean);
}

TEST(Kid, ClipsSubsetSizeAndReportsStandardError) {
  const Eigen::MatrixXd a = normal_features(40, 5, 9), b = normal_features(25, 5, 10);
  const KidResult r = kid(a, b, 16, 1000, 1);
  EXPECT_EQ(r.subset_size, 25);
  EXPECT_EQ(r.subsets, 16);
  EXPECT_GT(r.stddev, 0.0);
  EXPECT_NEAR(r.stderr_, r.stddev / 4.0, 1e-15);
}

TEST(Kid, SingleSubsetHasNoStandardError) {
  const KidResult r = kid(normal_features(10, 3, 1), normal_features(10, 3, 2), 1, 10, 0);
  EXPECT_TRUE(std::isfinite(r.mean));
  EXPECT_TRUE(std::isnan(r.stderr_));
}

TEST(Kid, NonFiniteFeaturesGiveNaN) {
  Eigen::MatrixXd a = normal_features(10, 3, 1);
  a(0, 0) = std::nan("");
  EXPECT_TRUE(std::isnan(kid(a, normal_features(10, 3, 2), 3, 5, 0).mean));
}

TEST(Kid, RejectsBadArguments) {
  const Eigen::MatrixXd a = normal_features(10, 3, 1);
  EXPECT_THROW(kid(a, normal_features(10, 4, 2)), UserError);
  EXPECT_THROW(kid(a, a, 0, 5), UserError);
  EXPECT_THROW(kid(a, normal_features(1, 3, 2)), UserError);
  EXPECT_THROW(kid(a, a, 3, 1), UserError);
}

}  // namespace
}  // namespace rflab::eval
