#include "reports/frontier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace rflab::reports {
namespace {

std::vector<std::tuple<double, double, int64_t>> as_tuples(const std::vector<FrontierPoint>& f) {
  std::vector<std::tuple<double, double, int64_t>> out;
  for (const auto& p : f) out.emplace_back(p.flops, p.loss, p.depth);
  return out;
}

TEST(Frontier, TwoCrossingCurves) {
  // The small model is cheaper per step and ahead early; the large one overtakes it at 8 FLOPs.
  //   depth 2: (1, 3.0) (2, 2.5) (4, 2.2) (8, 2.1) (16, 2.05)
  //   depth 4: (4, 2.8) (8, 2.0) (16, 1.6) (32, 1.4)
  // Running minimum over FLOPs 1, 2, 4, 4, 8, 8, 16, 16, 32: 3.0 (d2), 2.5 (d2), 2.2 (d2),
  // [2.8 no], [2.1 no — 2.0 at equal FLOPs comes first], 2.0 (d4), 1.6 (d4), [2.05 no], 1.4 (d4).
  const std::vector<LossCurve> curves = {
      {2, {{1, 3.0}, {2, 2.5}, {4, 2.2}, {8, 2.1}, {16, 2.05}}},
      {4, {{4, 2.8}, {8, 2.0}, {16, 1.6}, {32, 1.4}}},
  };
  const std::vector<std::tuple<double, double, int64_t>> expected = {
      {1, 3.0, 2}, {2, 2.5, 2}, {4, 2.2, 2}, {8, 2.0, 4}, {16, 1.6, 4}, {32, 1.4, 4}};
  EXPECT_EQ(as_tuples(compute_frontier(curves)), expected);
}

TEST(Frontier, OneCurveIsItsRunningMinimum) {
  // A noisy curve: the bump at 3 FLOPs is above the earlier minimum and is dropped.
  const std::vector<LossCurve> curves = {{6, {{3, 1.9}, {1, 2.0}, {2, 1.8}, {4, 1.7}}}};
  const std::vector<std::tuple<double, double, int64_t>> expected = {{1, 2.0, 6}, {2, 1.8, 6}, {4, 1.7, 6}};
  EXPECT_EQ(as_tuples(compute_frontier(curves)), expected);
}

TEST(Frontier, TiesInLossAreKept) {
  const std::vector<LossCurve> curves = {{2, {{1, 2.0}, {2, 2.0}}}, {3, {{2, 2.0}}}};
  const std::vector<std::tuple<double, double, int64_t>> expected = {{1, 2.0, 2}, {2, 2.0, 2}, {2, 2.0, 3}};
  EXPECT_EQ(as_tuples(compute_frontier(curves)), expected);
}

TEST(Frontier, DivergedPointsAreNeverOnIt) {
  const std::vector<LossCurve> curves = {{8, {{1, NAN}, {2, INFINITY}, {3, 1.5}}}};
  const std::vector<std::tuple<double, double, int64_t>> expected = {{3, 1.5, 8}};
  EXPECT_EQ(as_tuples(compute_frontier(curves)), expected);
}

TEST(Frontier, EmptyInputGivesEmptyFrontier) { EXPECT_TRUE(compute_frontier({}).empty()); }

TEST(Frontier, BadFlopsThrow) {
  EXPECT_THROW(compute_frontier({{2, {{-1, 1.0}}}}), std::invalid_argument);
  EXPECT_THROW(compute_frontier({{2, {{NAN, 1.0}}}}), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::reports
