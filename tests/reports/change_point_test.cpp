#include "reports/change_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "reports/bootstrap.h"
#include "reports/welch.h"
#include "tests/reports/standard_normal.h"

namespace rflab::reports {
namespace {

// One commit per level, `seeds` values each: the level plus N(0, sigma²) noise.
std::vector<SeriesPoint> make_series(const std::vector<double>& levels, int seeds, double sigma, uint64_t generator_seed) {
  Resampler rng(generator_seed);
  std::vector<SeriesPoint> series;
  for (size_t i = 0; i < levels.size(); ++i) {
    SeriesPoint p{"c" + std::to_string(i), {}};
    for (int s = 0; s < seeds; ++s) p.values.push_back(levels[i] + sigma * rflab::testing::standard_normal(rng));
    series.push_back(p);
  }
  return series;
}

std::vector<double> steps(const std::vector<std::pair<int, double>>& runs) {
  std::vector<double> levels;
  for (auto [count, level] : runs) levels.insert(levels.end(), count, level);
  return levels;
}

TEST(ChangePoint, FindsAPlantedStep) {
  const auto series = make_series(steps({{7, 1.00}, {5, 1.05}}), 5, 0.01, 42);
  const auto found = find_change_points(series);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 7u);
  EXPECT_NEAR(found[0].before, 1.00, 0.01);
  EXPECT_NEAR(found[0].after, 1.05, 0.01);
  EXPECT_GT(found[0].t, 10);
  EXPECT_LT(found[0].p_value, 1e-6);

  // before and after are the means of all seed values either side.
  double left = 0, right = 0;
  for (size_t i = 0; i < series.size(); ++i)
    for (double v : series[i].values) (i < 7 ? left : right) += v;
  EXPECT_NEAR(found[0].before, left / 35, 1e-14);
  EXPECT_NEAR(found[0].after, right / 25, 1e-14);
}

TEST(ChangePoint, FindsADownwardStepWithNegativeT) {
  const auto found = find_change_points(make_series(steps({{4, 2.0}, {8, 1.9}}), 3, 0.01, 7));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 4u);
  EXPECT_LT(found[0].t, -10);
}

TEST(ChangePoint, FindsTwoPlantedSteps) {
  const auto found = find_change_points(make_series(steps({{5, 1.00}, {5, 1.05}, {6, 0.98}}), 5, 0.01, 3));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].index, 5u);
  EXPECT_EQ(found[1].index, 10u);
  // The larger contrast splits [0, 16) first, at 10: before is the mean of [0, 10), 1.025. The
  // step at 5 is then found inside [0, 10), so its after is the mean of [5, 10) alone.
  EXPECT_NEAR(found[1].before, 1.025, 0.01);
  EXPECT_NEAR(found[1].after, 0.98, 0.01);
  EXPECT_NEAR(found[0].before, 1.00, 0.01);
  EXPECT_NEAR(found[0].after, 1.05, 0.01);
}

TEST(ChangePoint, FlatNoisySeriesHaveNone) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto found = find_change_points(make_series(std::vector<double>(12, 1.0), 5, 0.01, seed));
    EXPECT_TRUE(found.empty()) << "generator seed " << seed << ": " << found.size() << " change points, first at "
                               << (found.empty() ? 0 : found[0].index);
  }
}

TEST(ChangePoint, TAndPValueFollowTheirDefinitions) {
  // The statistic recomputed here from the pooled within-commit variance; the adjusted p-value is
  // the raw two-sided p times the b − a − 1 = 11 candidate splits.
  const auto series = make_series(steps({{6, 1.0}, {6, 1.015}}), 5, 0.01, 11);
  double ss = 0, left = 0, right = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    double m = 0;
    for (double v : series[i].values) m += v / 5;
    for (double v : series[i].values) {
      ss += (v - m) * (v - m);
      (i < 6 ? left : right) += v;
    }
  }
  const double df = 12 * 4, sigma = std::sqrt(ss / df);
  const double t = (right / 30 - left / 30) / (sigma * std::sqrt(1.0 / 30 + 1.0 / 30));
  const auto found = find_change_points(series);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 6u);
  EXPECT_NEAR(found[0].t, t, 1e-9 * std::abs(t));
  EXPECT_NEAR(found[0].p_value, 11 * 2 * student_t_cdf(-std::abs(t), df), 1e-9 * found[0].p_value);
  EXPECT_GT(found[0].p_value, 1e-6);  // a split whose raw p would pass at a far smaller alpha
  EXPECT_TRUE(find_change_points(series, {found[0].p_value, 0}).empty());  // p < alpha, strictly
}

TEST(ChangePoint, MinEffectSuppressesATinyStep) {
  // σ = 1e-4 and a step of 1e-3: t is about 50, but the step is below a 0.01 threshold.
  const auto series = make_series(steps({{6, 1.000}, {6, 1.001}}), 5, 1e-4, 5);
  const auto found = find_change_points(series);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 6u);
  EXPECT_TRUE(find_change_points(series, {0.01, 0.01}).empty());
  EXPECT_EQ(find_change_points(series, {0.01, 5e-4}).size(), 1u);
}

TEST(ChangePoint, ZeroNoiseSeriesWithOneJump) {
  std::vector<SeriesPoint> series;
  for (int i = 0; i < 9; ++i) series.push_back({"c" + std::to_string(i), std::vector<double>(3, i < 4 ? 0.1 : 0.3)});
  const auto found = find_change_points(series);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 4u);
  EXPECT_EQ(found[0].t, std::numeric_limits<double>::infinity());
  EXPECT_EQ(found[0].p_value, 0.0);
  EXPECT_DOUBLE_EQ(found[0].before, 0.1);
  EXPECT_DOUBLE_EQ(found[0].after, 0.3);
  EXPECT_TRUE(find_change_points(series, {0.01, 0.25}).empty());
  // A constant series has none, however the prefix sums round.
  for (auto& p : series) p.values.assign(3, 0.1);
  EXPECT_TRUE(find_change_points(series).empty());
}

TEST(ChangePoint, ShortSeriesHaveNone) {
  EXPECT_TRUE(find_change_points({}).empty());
  EXPECT_TRUE(find_change_points({{"a", {1.0, 2.0}}}).empty());
  EXPECT_TRUE(find_change_points({{"a", {1.0}}}).empty());
}

TEST(ChangePoint, NeedsSeedsForTheNoiseLevel) {
  const std::vector<SeriesPoint> one_seed = {{"a", {1.0}}, {"b", {1.0}}, {"c", {2.0}}};
  try {
    find_change_points(one_seed);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
  }
  // One commit with two seeds is enough to estimate σ.
  EXPECT_NO_THROW(find_change_points({{"a", {1.0, 1.1}}, {"b", {1.0}}, {"c", {2.0}}}));
}

TEST(ChangePoint, RejectsBadInput) {
  EXPECT_THROW(find_change_points({{"a", {1.0, 1.1}}, {"b", {}}}), std::invalid_argument);
  EXPECT_THROW(find_change_points({{"a", {1.0, std::nan("")}}, {"b", {1.0, 1.1}}}), std::invalid_argument);
  const std::vector<SeriesPoint> ok = {{"a", {1.0, 1.1}}, {"b", {1.0, 1.1}}};
  EXPECT_THROW(find_change_points(ok, {0, 0}), std::invalid_argument);
  EXPECT_THROW(find_change_points(ok, {0.01, -1}), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::reports
