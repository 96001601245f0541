// Non-dominated sorting and average ranks (SPEC §6) on hand-checkable point sets, and against an
// independent characterisation of the fronts on random sets.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "reports/bootstrap.h"
#include "reports/float_constants.h"
#include "reports/non_dominated_sort.h"
#include "reports/ranking.h"

using namespace rflab::reports;

namespace {

SettingKey setting(const std::string& name, int64_t steps, double cfg, const std::string& weights = "ema") {
  return {name, weights, "", steps, cfg};
}

Score score(const std::string& v, const SettingKey& s, double clip, double fid, int64_t seed = 0) {
  Score x;
  x.variant = v;
  x.seed = seed;
  x.setting = s;
  x.clip = clip;
  x.fid = fid;
  x.n = 100;
  return x;
}

const VariantRanks& ranks_of(const Ranking& r, const std::string& v) {
  for (const auto& x : r.variants)
    if (x.variant == v) return x;
  throw std::runtime_error("no variant " + v);
}

}  // namespace

TEST(NonDominatedSort, MutuallyNonDominatedPointsFormOneFront) {
  // Better CLIP always comes with worse FID: no point dominates another.
  EXPECT_EQ(non_dominated_sort({{0.9, 30}, {0.8, 20}, {0.7, 10}}), (std::vector<int>{1, 1, 1}));
}

TEST(NonDominatedSort, AChainGivesOneFrontPerPoint) {
  EXPECT_EQ(non_dominated_sort({{0.7, 30}, {0.9, 10}, {0.8, 20}}), (std::vector<int>{3, 1, 2}));
}

TEST(NonDominatedSort, IdenticalPointsShareAFrontAndEqualCoordinatesStillDominate) {
  // a and b are identical; c has a's CLIP score but a lower FID, so it dominates both.
  EXPECT_EQ(non_dominated_sort({{0.8, 20}, {0.8, 20}, {0.8, 15}}), (std::vector<int>{2, 2, 1}));
  EXPECT_FALSE(dominates({0.8, 20}, {0.8, 20}));
  EXPECT_TRUE(dominates({0.8, 15}, {0.8, 20}));
  EXPECT_TRUE(dominates({0.9, 20}, {0.8, 20}));
}

TEST(NonDominatedSort, NonFinitePointsGoToTheFrontAfterTheLastFiniteOne) {
  const double inf = std::numeric_limits<double>::infinity();
  // Finite fronts 1 and 2; the NaN and the infinite FID share front 3, even though an infinite
  // FID with a high CLIP score would otherwise compare.
  EXPECT_EQ(non_dominated_sort({{0.9, 10}, {kNaN, kNaN}, {0.8, 20}, {0.99, inf}}), (std::vector<int>{1, 3, 2, 3}));
  EXPECT_EQ(non_dominated_sort({{kNaN, 1}}), (std::vector<int>{1}));
}

// Independent characterisation: a point's front is one more than the deepest front among the
// points that dominate it (the longest dominance chain ending at it).
TEST(NonDominatedSort, EqualsTheLongestDominanceChainOnRandomSets) {
  Resampler rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + rng.index(25);
    std::vector<ParetoPoint> pts(n);
    for (auto& p : pts) {
      // Coarse coordinates make ties and duplicates common.
      p.clip = static_cast<double>(rng.index(6)) / 5.0;
      p.fid = static_cast<double>(rng.index(6));
      if (rng.index(15) == 0) p.fid = kNaN;
    }
    std::vector<int> depth(n, 0);
    std::function<int(size_t)> chain = [&](size_t i) {
      if (depth[i]) return depth[i];
      int d = 1;
      for (size_t j = 0; j < n; ++j)
        if (dominates(pts[j], pts[i])) d = std::max(d, chain(j) + 1);
      return depth[i] = d;
    };
    int last_finite = 0;
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(pts[i].fid)) last_finite = std::max(last_finite, chain(i));
    const auto got = non_dominated_sort(pts);
    for (size_t i = 0; i < n; ++i) {
      const int want = std::isfinite(pts[i].fid) ? chain(i) : last_finite + 1;
      ASSERT_EQ(got[i], want) << "trial " << trial << " point " << i;
    }
  }
}

TEST(Ranking, AveragesFrontsOverTheColumnsOfTableOne) {
  const auto s1 = setting("S1", 50, 1.0), s3 = setting("S3", 50, 5.0), s4 = setting("S4", 5, 5.0);
  ScoreTable t;
  t.variants = {"a", "b", "c"};
  // S1: a > b > c (a chain). S3: a and b one front, c second. S4: c first, then b, then a.
  t.scores = {score("a", s1, 0.9, 10), score("b", s1, 0.8, 20), score("c", s1, 0.7, 30),
              score("a", s3, 0.9, 20), score("b", s3, 0.8, 10), score("c", s3, 0.7, 30),
              score("a", s4, 0.7, 30), score("b", s4, 0.8, 20), score("c", s4, 0.9, 10)};
  const Ranking r = rank_variants(t);
  ASSERT_EQ(r.columns, (std::vector<std::string>{"all", "5 steps", "50 steps", "50 steps, all CFG"}));
  const auto& a = ranks_of(r, "a");
  const auto& b = ranks_of(r, "b");
  const auto& c = ranks_of(r, "c");
  EXPECT_DOUBLE_EQ(a.mean[0], (1 + 1 + 3) / 3.0);
  EXPECT_DOUBLE_EQ(b.mean[0], (2 + 1 + 2) / 3.0);
  EXPECT_DOUBLE_EQ(c.mean[0], (3 + 2 + 1) / 3.0);
  EXPECT_DOUBLE_EQ(a.mean[1], 3);  // R_5: S4 only
  EXPECT_DOUBLE_EQ(c.mean[1], 1);
  EXPECT_DOUBLE_EQ(a.mean[2], 1);  // R_50: S3 only (w = 5.0)
  EXPECT_DOUBLE_EQ(c.mean[2], 2);
  EXPECT_DOUBLE_EQ(b.mean[3], 1.5);  // R_50,all-cfg: S1 and S3
  EXPECT_EQ(r.order, (std::vector<size_t>{0, 1, 2}));  // a and b tie at 5/3: study order breaks it
  EXPECT_TRUE(r.missing.empty());
}

TEST(Ranking, AVariantMissingInOneSettingIsListedAndAveragedOverTheRest) {
  const auto s3 = setting("S3", 50, 5.0), s4 = setting("S4", 5, 5.0);
  ScoreTable t;
  t.variants = {"a", "b"};
  t.scores = {score("a", s3, 0.9, 10), score("b", s3, 0.8, 20), score("b", s4, 0.8, 20)};
  const Ranking r = rank_variants(t);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].variant, "a");
  EXPECT_EQ(r.missing[0].setting, "S4 ema");
  EXPECT_DOUBLE_EQ(ranks_of(r, "a").mean[0], 1);  // S3 only
  EXPECT_TRUE(std::isnan(ranks_of(r, "a").mean[1]));
  EXPECT_DOUBLE_EQ(ranks_of(r, "b").mean[0], 1.5);  // 2 in S3, alone (1) in S4
}

TEST(Ranking, ADivergedVariantRanksBehindEveryFiniteOne) {
  const auto s3 = setting("S3", 50, 5.0);
  ScoreTable t;
  t.variants = {"ok1", "dead", "ok2"};
  t.scores = {score("ok1", s3, 0.9, 10), score("dead", s3, kNaN, kNaN), score("ok2", s3, 0.8, 20)};
  const Ranking r = rank_variants(t);
  EXPECT_DOUBLE_EQ(ranks_of(r, "dead").mean[0], 3);
  EXPECT_EQ(r.order.back(), 1u);
}

TEST(Ranking, SeedsAreRankedApartThenAveragedWithABootstrapInterval) {
  const auto s3 = setting("S3", 50, 5.0);
  ScoreTable t;
  t.variants = {"a", "b"};
  // Seed 0: a first. Seed 1: b first. Seed 2: a first.
  for (int64_t seed : {0, 1, 2}) {
    const bool a_wins = seed != 1;
    t.scores.push_back(score("a", s3, a_wins ? 0.9 : 0.7, 10, seed));
    t.scores.push_back(score("b", s3, 0.8, a_wins ? 20 : 5, seed));
  }
  const Ranking r = rank_variants(t);
  const auto& a = ranks_of(r, "a");
  EXPECT_EQ(a.per_seed[0], (std::vector<double>{1, 2, 1}));
  EXPECT_DOUBLE_EQ(a.mean[0], 4.0 / 3);
  EXPECT_EQ(r.resamples, kBootstrapResamples);
  // The mean of three draws from {1, 2, 1} lies in [1, 2]; the interval holds the mean.
  EXPECT_GE(a.interval[0].lo, 1.0);
  EXPECT_LE(a.interval[0].hi, 2.0);
  EXPECT_TRUE(a.interval[0].contains(a.mean[0]));
  EXPECT_LT(a.interval[0].lo, a.interval[0].hi);
  EXPECT_TRUE(r.leaders_overlap);
  EXPECT_NE(r.verdict.find("overlap"), std::string::npos);
}

TEST(Ranking, ALeaderInEverySeedIsClearOfTheOthers) {
  const auto s3 = setting("S3", 50, 5.0);
  ScoreTable t;
  t.variants = {"b", "a"};
  for (int64_t seed : {0, 1, 2, 3}) {
    t.scores.push_back(score("a", s3, 0.9, 10, seed));
    t.scores.push_back(score("b", s3, 0.8, 20 + seed, seed));
  }
  const Ranking r = rank_variants(t);
  EXPECT_EQ(r.order.front(), 1u);
  EXPECT_FALSE(r.leaders_overlap);
  EXPECT_NE(r.verdict.find("a leads"), std::string::npos);
  EXPECT_DOUBLE_EQ(ranks_of(r, "a").interval[0].lo, 1);
  EXPECT_DOUBLE_EQ(ranks_of(r, "a").interval[0].hi, 1);
}

TEST(Ranking, OneSeedSaysTheRanksHaveNoInterval) {
  ScoreTable t;
  t.variants = {"a", "b"};
  t.scores = {score("a", setting("S3", 50, 5.0), 0.9, 10), score("b", setting("S3", 50, 5.0), 0.8, 20)};
  const Ranking r = rank_variants(t);
  EXPECT_EQ(r.resamples, 0);
  EXPECT_NE(r.verdict.find("One seed"), std::string::npos);
}

TEST(Ranking, ByStepsGivesOneColumnPerStepCount) {
  ScoreTable t;
  t.variants = {"a"};
  t.scores = {score("a", setting("S4", 5, 5.0), 0.9, 10), score("a", setting("S6", 25, 5.0), 0.9, 10)};
  RankOptions o;
  o.by = RankBy::steps;
  EXPECT_EQ(rank_variants(t, o).columns, (std::vector<std::string>{"all", "5 steps", "25 steps"}));
  o.by = RankBy::weights;
  EXPECT_EQ(rank_variants(t, o).columns, (std::vector<std::string>{"all", "ema"}));
}

TEST(Ranking, RefusesATableWithoutPointsAndTwoPointsForOneCell) {
  ScoreTable t;
  t.variants = {"a"};
  EXPECT_THROW(rank_variants(t), std::invalid_argument);
  t.scores = {score("a", setting("S3", 50, 5.0), 0.9, 10), score("a", setting("S3", 50, 5.0), 0.8, 10)};
  EXPECT_THROW(rank_variants(t), std::invalid_argument);
}

TEST(Bootstrap, QuantileInterpolatesBetweenOrderStatistics) {
  EXPECT_DOUBLE_EQ(quantile({3, 1, 2, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4, 5}, 0.05), 1.2);
  EXPECT_DOUBLE_EQ(quantile({7}, 0.9), 7);
  EXPECT_THROW(quantile({}, 0.5), std::invalid_argument);
}

TEST(Bootstrap, ResamplerIsReproducibleAndInRange) {
  Resampler a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    const size_t x = a.index(7);
    ASSERT_EQ(x, b.index(7));
    ASSERT_LT(x, 7u);
  }
}
