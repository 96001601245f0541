#include "eval/stats/frechet.h"

#include <gtest/gtest.h>

#include <cmath>

#include "eval/stats/npz.h"
#include "results/error.h"
#include "tests/eval/stats/stats_test_util.h"

namespace rflab::eval {
namespace {

using testing::normal_features;
using testing::random_orthogonal;

// Reference values from scipy.linalg.sqrtm on the fixtures (tests/eval/stats/data/make_fixtures.py).
constexpr double kScipyFd5 = 2.4948215662991533;
constexpr double kScipyFd64 = 121.27225731416115;

GaussianStats diagonal_stats(const Eigen::VectorXd& mu, const Eigen::VectorXd& var) {
  return {mu, var.asDiagonal(), 0};
}

// |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2: the closed form when both covariances share an
// eigenbasis with eigenvalues a and b.
double commuting_closed_form(const Eigen::VectorXd& mu1, const Eigen::VectorXd& a,
                             const Eigen::VectorXd& mu2, const Eigen::VectorXd& b) {
  return (mu1 - mu2).squaredNorm() + (a.cwiseSqrt() - b.cwiseSqrt()).squaredNorm();
}

TEST(GaussianStats, MeanAndUnbiasedCovarianceOfSmallSample) {
  Eigen::MatrixXd x(3, 2);
  x << 1, 2, 3, 6, 5, 4;
  const GaussianStats s = gaussian_stats(x);
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.mu(0), 3.0);
  EXPECT_DOUBLE_EQ(s.mu(1), 4.0);
  // Deviations (-2,-2), (0,2), (2,0); sums of products over n-1 = 2.
  EXPECT_DOUBLE_EQ(s.sigma(0, 0), 4.0);
  EXPECT_DOUBLE_EQ(s.sigma(1, 1), 4.0);
  EXPECT_DOUBLE_EQ(s.sigma(0, 1), 2.0);
  EXPECT_DOUBLE_EQ(s.sigma(1, 0), 2.0);
}

TEST(GaussianStats, RejectsFewerThanTwoSamples) {
  EXPECT_THROW(gaussian_stats(Eigen::MatrixXd::Ones(1, 4)), UserError);
}

TEST(FrechetDistance, IdenticalStatisticsGiveZero) {
  const GaussianStats s = gaussian_stats(normal_features(200, 32, 1, 0.3, 2.0));
  EXPECT_LE(std::abs(frechet_distance(s, s)), 1e-9 * s.sigma.trace());
}

TEST(FrechetDistance, DiagonalCovariancesMatchClosedForm) {
  Eigen::VectorXd mu1(4), mu2(4), a(4), b(4);
  mu1 << 0.0, 1.0, -2.0, 0.5;
  mu2 << 1.0, 1.0, 0.0, -0.5;
  a << 1.0, 4.0, 0.25, 9.0;
  b << 2.0, 1.0, 0.25, 16.0;
  const double want = commuting_closed_form(mu1, a, mu2, b);
  EXPECT_NEAR(frechet_distance(diagonal_stats(mu1, a), diagonal_stats(mu2, b)), want, 1e-12 * want);
}

TEST(FrechetDistance, CommutingCovariancesMatchClosedForm) {
  const int d = 24;
  const Eigen::MatrixXd q = random_orthogonal(d, 7);
  const Eigen::VectorXd a = Eigen::VectorXd::LinSpaced(d, 0.1, 5.0);
  const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(d, 3.0, 0.2).array().square();
  const Eigen::VectorXd mu1 = Eigen::VectorXd::Constant(d, 0.5), mu2 = Eigen::VectorXd::Zero(d);
  const GaussianStats s1{mu1, q * a.asDiagonal() * q.transpose(), 0};
  const GaussianStats s2{mu2, q * b.asDiagonal() * q.transpose(), 0};
  const double want = commuting_closed_form(mu1, a, mu2, b);
  EXPECT_NEAR(frechet_distance(s1, s2), want, 1e-10 * want);
}

TEST(FrechetDistance, SingularCommutingCovariancesMatchClosedForm) {
  // Zero eigenvalues on either side: the clamped symmetric route stays exact and finite.
  Eigen::VectorXd mu = Eigen::VectorXd::Zero(3), a(3), b(3);
  a << 0.0, 1.0, 4.0;
  b << 9.0, 0.0, 1.0;
  const Eigen::MatrixXd q = random_orthogonal(3, 3);
  const GaussianStats s1{mu, q * a.asDiagonal() * q.transpose(), 0};
  const GaussianStats s2{mu, q * b.asDiagonal() * q.transpose(), 0};
  EXPECT_NEAR(frechet_distance(s1, s2), commuting_closed_form(mu, a, mu, b), 1e-6);
}

TEST(FrechetDistance, IndefiniteCovarianceIsClampedToItsPositivePart) {
  // A covariance with a slightly negative eigenvalue (rounding in a file) has no Cholesky
  // factor; the eigenvector route clamps that eigenvalue to 0 inside the square root.
  Eigen::VectorXd mu = Eigen::VectorXd::Zero(3), a(3), b(3);
  a << -1e-3, 1.0, 4.0;
  b << 2.0, 0.5, 1.0;
  const Eigen::MatrixXd q = random_orthogonal(3, 5);
  const GaussianStats s1{mu, q * a.asDiagonal() * q.transpose(), 0};
  const GaussianStats s2{mu, q * b.asDiagonal() * q.transpose(), 0};
  const double want =
      a.sum() + b.sum() - 2.0 * (a.cwiseMax(0.0).cwiseProduct(b)).cwiseSqrt().sum();
  EXPECT_NEAR(frechet_distance(s1, s2), want, 1e-12 * want);
}

TEST(FrechetDistance, MatchesScipyOn5dStatistics) {
  const double fd = frechet_distance(read_stats_npz(testing::fixture("ref5_a.npz")),
                                     read_stats_npz(testing::fixture("ref5_b.npz")));
  EXPECT_NEAR(fd, kScipyFd5, 1e-10 * kScipyFd5);
}

TEST(FrechetDistance, MatchesScipyOn64dStatistics) {
  const double fd = frechet_distance(read_stats_npz(testing::fixture("ref64_a.npz")),
                                     read_stats_npz(testing::fixture("ref64_b.npz")));
  EXPECT_NEAR(fd, kScipyFd64, 1e-10 * kScipyFd64);
}

TEST(FrechetDistance, IsSymmetricInItsArguments) {
  const GaussianStats a = gaussian_stats(normal_features(100, 16, 11));
  const GaussianStats b = gaussian_stats(normal_features(80, 16, 12, 0.2, 1.5));
  EXPECT_NEAR(frechet_distance(a, b), frechet_distance(b, a), 1e-10 * frechet_distance(a, b));
}

TEST(FrechetDistance, GramRouteMatchesCovarianceRouteOnFullRankData) {
  const Eigen::MatrixXd a = normal_features(300, 20, 21, 0.0, 1.0);
  const Eigen::MatrixXd b = normal_features(250, 20, 22, 0.3, 1.7);
  const double cov = frechet_distance(a, b, FrechetRoute::covariance);
  const double gram = frechet_distance(a, b, FrechetRoute::gram);
  EXPECT_NEAR(gram, cov, 1e-10 * cov);
  EXPECT_EQ(frechet_distance(a, b), cov);  // n > d: the automatic route is the covariance one
}

TEST(FrechetDistance, RankDeficientFeaturesAreFiniteAndMatchCovarianceRoute) {
  // n < d: both covariances are singular (rank n-1).
  const Eigen::MatrixXd a = normal_features(40, 100, 31);
  const Eigen::MatrixXd b = normal_features(30, 100, 32, 0.1, 1.2);
  const double exact = frechet_distance(a, b);
  ASSERT_TRUE(std::isfinite(exact));
  EXPECT_EQ(exact, frechet_distance(a, b, FrechetRoute::gram));
  const double cov = frechet_distance(gaussian_stats(a), gaussian_stats(b));
  EXPECT_NEAR(cov, exact, 1e-7 * exact);
}

TEST(FrechetDistance, FeatureSetAgainstItselfIsZero) {
  for (int n : {10, 200}) {  // rank-deficient and full-rank
    const Eigen::MatrixXd x = normal_features(n, 50, 41, 1.0, 3.0);
    const double scale = gaussian_stats(x).sigma.trace();
    EXPECT_LE(std::abs(frechet_distance(x, x)), 1e-9 * scale) << "n = " << n;
  }
}

TEST(FrechetDistance, GrowsMonotonicallyAsTheShiftGrows) {
  const Eigen::MatrixXd a = normal_features(400, 16, 51);
  const Eigen::MatrixXd b = normal_features(400, 16, 52);
  double prev = -1.0;
  for (double shift : {0.0, 0.25, 0.5, 1.0, 2.0, 4.0}) {
    const Eigen::MatrixXd shifted = b.array() + shift;
    const double fd = frechet_distance(a, shifted);
    EXPECT_GT(fd, prev) << "shift " << shift;
    prev = fd;
  }
}

TEST(FrechetDistance, NonFiniteInputGivesNaN) {
  Eigen::MatrixXd a = normal_features(20, 4, 61);
  const Eigen::MatrixXd b = normal_features(20, 4, 62);
  a(3, 2) = std::nan("");
  EXPECT_TRUE(std::isnan(frechet_distance(a, b)));
  GaussianStats s = gaussian_stats(b);
  s.sigma(0, 0) = INFINITY;
  EXPECT_TRUE(std::isnan(frechet_distance(s, gaussian_stats(b))));
}

TEST(FrechetDistance, RejectsUnequalDimensions) {
  EXPECT_THROW(frechet_distance(normal_features(10, 4, 1), normal_features(10, 5, 2)), UserError);
  const GaussianStats a = gaussian_stats(normal_features(10, 4, 1));
  const GaussianStats b = gaussian_stats(normal_features(10, 5, 2));
  EXPECT_THROW(frechet_distance(a, b), UserError);
}

TEST(FrechetDistance, RejectsSigmaNotMatchingMu) {
  GaussianStats a = gaussian_stats(normal_features(10, 4, 1));
  GaussianStats b = a;
  b.sigma = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_THROW(frechet_distance(a, b), UserError);
}

}  // namespace
}  // namespace rflab::eval
