#include "reports/correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace rflab::reports {
namespace {

// x = 1…5, y = 2, 4, 5, 4, 5 (mean 3 and 4). Deviations dx = −2, −1, 0, 1, 2 and
// dy = −2, 0, 1, 0, 1: Sxy = 4 + 2 = 6, Sxx = 10, Syy = 6, so r = 6/sqrt(60) = 0.7745966692414834.
const std::vector<double> kX = {1, 2, 3, 4, 5};
const std::vector<double> kY = {2, 4, 5, 4, 5};

TEST(InverseNormal, KnownQuantiles) {
  EXPECT_NEAR(inverse_normal_cdf(0.95), 1.6448536269514722, 1e-15);
  EXPECT_NEAR(inverse_normal_cdf(0.975), 1.959963984540054, 1e-15);
  EXPECT_EQ(inverse_normal_cdf(0.5), 0.0);
}

TEST(InverseNormal, Tails) {
  EXPECT_NEAR(inverse_normal_cdf(1e-10), -6.361340902404056, 1e-13);
  EXPECT_NEAR(inverse_normal_cdf(1e-300), -37.0470962993612, 1e-11);
  EXPECT_NEAR(inverse_normal_cdf(0.999), 3.090232306167813, 1e-14);
}

TEST(InverseNormal, IsSymmetric) {
  // Dyadic p, so that 1 − p is exact and the two quantiles are exact negatives.
  for (double p : {0x1p-30, 0x1p-10, 0.015625, 0.125, 0.375, 0.4375})
    EXPECT_NEAR(inverse_normal_cdf(p), -inverse_normal_cdf(1 - p), 1e-12 * std::abs(inverse_normal_cdf(p))) << p;
}

TEST(InverseNormal, InvertsTheNormalCdf) {
  for (double p = 0.001; p < 1; p += 0.001) {
    const double x = inverse_normal_cdf(p);
    EXPECT_NEAR(0.5 * std::erfc(-x / std::sqrt(2.0)), p, 1e-15) << p;
  }
}

TEST(InverseNormal, EndpointsAndOutOfRange) {
  EXPECT_EQ(inverse_normal_cdf(0), -INFINITY);
  EXPECT_EQ(inverse_normal_cdf(1), INFINITY);
  EXPECT_THROW(inverse_normal_cdf(-0.1), std::invalid_argument);
  EXPECT_THROW(inverse_normal_cdf(1.5), std::invalid_argument);
  EXPECT_THROW(inverse_normal_cdf(NAN), std::invalid_argument);
}

TEST(Correlation, LinearIsOne) {
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(0.3 * i - 1);
    y.push_back(2 * x.back() + 1);
  }
  EXPECT_NEAR(pearson(x, y).r, 1.0, 1e-15);
  EXPECT_EQ(spearman(x, y).r, 1.0);
}

TEST(Correlation, NegatedIsMinusOne) {
  const std::vector<double> x = {3, -1, 4, 1, -5, 9, 2, 6};
  std::vector<double> y;
  for (double v : x) y.push_back(-v);
  EXPECT_NEAR(pearson(x, y).r, -1.0, 1e-15);
  EXPECT_EQ(spearman(x, y).r, -1.0);
}

TEST(Correlation, MonotoneNonlinearIsSpearmanOne) {
  std::vector<double> x, y;
  for (int i = 1; i <= 12; ++i) {
    x.push_back(i);
    y.push_back(std::pow(i, 3));
  }
  EXPECT_EQ(spearman(x, y).r, 1.0);
  EXPECT_LT(pearson(x, y).r, 0.99);
}

TEST(Correlation, HandComputedPearson) {
  const Correlation c = pearson(kX, kY);
  EXPECT_NEAR(c.r, 0.7745966692414834, 1e-15);
  EXPECT_EQ(c.n, 5);
  EXPECT_TRUE(c.note.empty());
}

TEST(Correlation, HandComputedSpearmanWithTies) {
  // Ranks of y: 2 → 1; the two 4s share (2 + 3)/2 = 2.5; the two 5s share (4 + 5)/2 = 4.5.
  // Rank deviations −2, −0.5, 1.5, −0.5, 1.5: Sxy = 4 + 0.5 − 0.5 + 3 = 7, Syy = 9, Sxx = 10,
  // so rho = 7/sqrt(90).
  EXPECT_NEAR(spearman(kX, kY).r, 7 / std::sqrt(90.0), 1e-15);
}

TEST(Correlation, AverageRanksOfTies) {
  EXPECT_EQ(average_ranks({10, 20, 10, 30, 20, 20}), (std::vector<double>{1.5, 4, 1.5, 6, 4, 4}));
  EXPECT_EQ(average_ranks({3, 1, 2}), (std::vector<double>{3, 1, 2}));
  EXPECT_TRUE(average_ranks({}).empty());
}

TEST(Correlation, PearsonFisherIntervalMatchesHandValue) {
  // tanh(atanh(r) ± 1.6448536269514722/sqrt(5 − 3)) with r = 6/sqrt(60).
  const Correlation c = pearson(kX, kY, 0.90);
  EXPECT_NEAR(c.ci.lo, -0.13061809239620967, 1e-13);
  EXPECT_NEAR(c.ci.hi, 0.9754929249793987, 1e-13);
  EXPECT_EQ(c.level, 0.90);
}

TEST(Correlation, SpearmanIntervalUsesFiellerVariance) {
  // tanh(atanh(rho) ± 1.6448536269514722·sqrt(1.06/(5 − 3))) with rho = 7/sqrt(90).
  const Correlation c = spearman(kX, kY, 0.90);
  EXPECT_NEAR(c.ci.lo, -0.24651178302973953, 1e-13);
  EXPECT_NEAR(c.ci.hi, 0.9728670720600153, 1e-13);
}

TEST(Correlation, IntervalContainsRAndWidensWithLevel) {
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(i);
    y.push_back(i + 4 * std::sin(1.7 * i));
  }
  const Correlation c90 = pearson(x, y, 0.90), c99 = pearson(x, y, 0.99);
  EXPECT_TRUE(c90.ci.contains(c90.r));
  EXPECT_LT(c99.ci.lo, c90.ci.lo);
  EXPECT_GT(c99.ci.hi, c90.ci.hi);
}

TEST(Correlation, FewerThanFourPointsHaveNoInterval) {
  const Correlation c = pearson({1, 2, 3}, {1, 3, 2});
  EXPECT_NEAR(c.r, 0.5, 1e-15);
  EXPECT_TRUE(std::isnan(c.ci.lo));
  EXPECT_TRUE(std::isnan(c.ci.hi));
  EXPECT_NE(c.note.find("n = 3"), std::string::npos);
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {1, 3, 2}).ci.lo));
}

TEST(Correlation, ZeroVarianceIsNaN) {
  const Correlation c = pearson({1, 2, 3, 4, 5}, {0.1, 0.1, 0.1, 0.1, 0.1});
  EXPECT_TRUE(std::isnan(c.r));
  EXPECT_TRUE(std::isnan(c.ci.lo));
  EXPECT_NE(c.note.find("zero variance"), std::string::npos);
  EXPECT_TRUE(std::isnan(spearman({2, 2, 2, 2}, {1, 2, 3, 4}).r));
}

TEST(Correlation, LengthMismatchThrows) {
  EXPECT_THROW(pearson({1, 2, 3}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(spearman({1, 2, 3}, {1, 2}), std::invalid_argument);
}

TEST(Correlation, NonFiniteValueThrows) {
  EXPECT_THROW(pearson({1, 2, NAN, 4}, {1, 2, 3, 4}), std::invalid_argument);
  EXPECT_THROW(average_ranks({1, INFINITY}), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::reports
