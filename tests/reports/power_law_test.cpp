#include "reports/power_law.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "reports/bootstrap.h"
#include "tests/reports/standard_normal.h"

namespace rflab::reports {
namespace {

constexpr double kA = 40, kB = 0.3, kC = 0.25;

// 30 points, x log-spaced over 1e6 … 1e10, L = a·x^(−b) + c times exp(noise_sd·N(0, 1)).
std::vector<PowerLawPoint> curve(double a, double b, double c, double noise_sd) {
  Resampler rng(7);
  std::vector<PowerLawPoint> points;
  for (int i = 0; i < 30; ++i) {
    const double x = std::pow(10.0, 6 + 4.0 * i / 29);
    points.push_back({x, (a * std::pow(x, -b) + c) * std::exp(noise_sd * rflab::testing::standard_normal(rng))});
  }
  return points;
}

// The noisy curve with three gross outliers (a diverged eval, a mislogged step, …).
std::vector<PowerLawPoint> noisy_with_outliers() {
  auto points = curve(kA, kB, kC, 0.01);
  for (int i : {4, 15, 27}) points[i].y *= 1.5;
  return points;
}

PowerLawOptions no_bootstrap() {
  PowerLawOptions o;
  o.resamples = 0;
  return o;
}

TEST(PowerLaw, RecoversExactParametersWithoutNoise) {
  const PowerLawFit fit = fit_power_law(curve(kA, kB, kC, 0), no_bootstrap());
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.a, kA, 1e-6 * kA);
  EXPECT_NEAR(fit.b, kB, 1e-6 * kB);
  EXPECT_NEAR(fit.c, kC, 1e-6 * kC);
  EXPECT_LT(fit.rmse_log, 1e-9);
}

TEST(PowerLaw, PurePowerLawFitsZeroAsymptote) {
  const PowerLawFit fit = fit_power_law(curve(5, 0.2, 0, 0), no_bootstrap());
  EXPECT_NEAR(fit.a, 5, 1e-6 * 5);
  EXPECT_NEAR(fit.b, 0.2, 1e-6 * 0.2);
  EXPECT_GE(fit.c, 0);
  EXPECT_LT(fit.c, 1e-8);
}

TEST(PowerLaw, RobustToOutliers) {
  const PowerLawFit fit = fit_power_law(noisy_with_outliers(), no_bootstrap());
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.b, kB, 0.03);
  EXPECT_NEAR(fit.c, kC, 0.02);
  EXPECT_NEAR(fit.a, kA, 0.3 * kA);
  // Far from the data's ends the curve itself is pinned much tighter than the parameters.
  EXPECT_NEAR(fit.predict(1e8), kA * std::pow(1e8, -kB) + kC, 0.01);
}

TEST(PowerLaw, LeastSquaresIsThrownByOutliers) {
  PowerLawOptions squares = no_bootstrap();
  squares.huber_delta = 1e9;  // every residual on the quadratic branch
  const auto points = noisy_with_outliers();
  const PowerLawFit huber = fit_power_law(points, no_bootstrap());
  const PowerLawFit ls = fit_power_law(points, squares);
  EXPECT_GT(std::abs(ls.b - kB), 3 * std::abs(huber.b - kB));
  EXPECT_GT(std::abs(ls.c - kC), 3 * std::abs(huber.c - kC));
}

TEST(PowerLaw, BootstrapIntervalCoversTrueExponent) {
  const PowerLawFit fit = fit_power_law(noisy_with_outliers());
  EXPECT_EQ(fit.resamples_used + fit.resamples_failed, kBootstrapResamples);
  EXPECT_GT(fit.resamples_used, kBootstrapResamples * 9 / 10);
  EXPECT_EQ(fit.level, 0.90);
  EXPECT_TRUE(fit.b_ci.contains(kB)) << fit.b_ci.lo << " " << fit.b_ci.hi;
  EXPECT_TRUE(fit.b_ci.contains(fit.b));
  EXPECT_LT(fit.b_ci.hi - fit.b_ci.lo, 0.2);
  EXPECT_TRUE(fit.c_ci.contains(kC)) << fit.c_ci.lo << " " << fit.c_ci.hi;
}

TEST(PowerLaw, BandBracketsTheFit) {
  PowerLawOptions o;
  o.resamples = 200;
  const PowerLawFit fit = fit_power_law(noisy_with_outliers(), o);
  for (double x : {1e6, 1e8, 1e10}) {
    const Interval band = fit.band(x);
    EXPECT_TRUE(band.contains(fit.predict(x))) << x;
    EXPECT_TRUE(band.contains(kA * std::pow(x, -kB) + kC)) << x;
  }
}

TEST(PowerLaw, SameSeedSameIntervals) {
  PowerLawOptions o;
  o.resamples = 100;
  const auto points = noisy_with_outliers();
  const PowerLawFit first = fit_power_law(points, o), second = fit_power_law(points, o);
  EXPECT_EQ(first.b_ci.lo, second.b_ci.lo);
  EXPECT_EQ(first.b_ci.hi, second.b_ci.hi);
  o.seed += 1;
  EXPECT_NE(fit_power_law(points, o).b_ci.lo, first.b_ci.lo);
}

TEST(PowerLaw, ResamplesWholeGroups) {
  // Three seeds of the same curve: the bootstrap draws seeds, not points.
  std::vector<PowerLawPoint> points;
  for (int64_t seed = 0; seed < 3; ++seed)
    for (auto p : curve(kA, kB, kC, 0)) {
      p.y *= 1 + 0.01 * static_cast<double>(seed - 1);
      p.group = seed;
      points.push_back(p);
    }
  PowerLawOptions o;
  o.resamples = 50;
  const PowerLawFit fit = fit_power_law(points, o);
  EXPECT_EQ(fit.n_points, 90);
  EXPECT_EQ(fit.n_groups, 3);
  EXPECT_EQ(fit.resamples_used, 50);
  EXPECT_TRUE(fit.b_ci.contains(kB));
}

TEST(PowerLaw, WithoutResamplesIntervalsAreNaN) {
  const PowerLawFit fit = fit_power_law(curve(kA, kB, kC, 0), no_bootstrap());
  EXPECT_EQ(fit.n_groups, 30);
  EXPECT_EQ(fit.resamples_used, 0);
  EXPECT_TRUE(std::isnan(fit.b_ci.lo));
  EXPECT_TRUE(std::isnan(fit.band(1e8).hi));
}

TEST(PowerLaw, TwoPointsThrow) {
  EXPECT_THROW(fit_power_law({{1e6, 1.0}, {1e7, 0.9}}), std::invalid_argument);
}

TEST(PowerLaw, DuplicateXOnlyThrows) {
  EXPECT_THROW(fit_power_law({{1e6, 1.0}, {1e6, 1.1}, {1e7, 0.9}, {1e7, 0.8}}), std::invalid_argument);
}

TEST(PowerLaw, NonPositiveOrNonFiniteValuesThrow) {
  EXPECT_THROW(fit_power_law({{1e6, 1.0}, {1e7, -0.9}, {1e8, 0.8}}), std::invalid_argument);
  EXPECT_THROW(fit_power_law({{0, 1.0}, {1e7, 0.9}, {1e8, 0.8}}), std::invalid_argument);
  EXPECT_THROW(fit_power_law({{1e6, NAN}, {1e7, 0.9}, {1e8, 0.8}}), std::invalid_argument);
}

TEST(PowerLaw, BadOptionsThrow) {
  const auto points = curve(kA, kB, kC, 0);
  PowerLawOptions o;
  o.huber_delta = 0;
  EXPECT_THROW(fit_power_law(points, o), std::invalid_argument);
  o = {};
  o.level = 1;
  EXPECT_THROW(fit_power_law(points, o), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::reports
