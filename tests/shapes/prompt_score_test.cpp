// The prompt-following score: Wilson's interval against its closed form, ground-truth images
// scoring 1 in every category, blank images 0, a known share of wrong images giving exactly that
// rate, and the overall score the mean of the categories.
#include "core/data/shapes/prompt_score.h"

#include <gtest/gtest.h>

#include "core/data/shapes/render.h"

namespace rflab::shapes {
namespace {

TEST(ShapesPromptScore, WilsonIntervalMatchesItsClosedForm) {
  // 50 of 100: centre 0.5, half-width z/(1 + z²/n)·sqrt(0.25/n + z²/4n²) = 0.0962 (to 4 places).
  const Interval half = wilson_interval(50, 100);
  EXPECT_NEAR(half.low, 0.40383, 1e-5);
  EXPECT_NEAR(half.high, 0.59617, 1e-5);
  // n of n: [n/(n + z²), 1] — not the degenerate [1, 1] of the normal approximation.
  const Interval all = wilson_interval(385, 385);
  EXPECT_NEAR(all.low, 385.0 / (385.0 + 1.959963984540054 * 1.959963984540054), 1e-12);
  EXPECT_DOUBLE_EQ(all.high, 1.0);
  const Interval none = wilson_interval(0, 385);
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 1.0 - all.low, 1e-12);
  // At the default 385 prompts the interval is within ±5 points at its worst, p = 0.5.
  const Interval worst = wilson_interval(192, 385);
  EXPECT_LT(worst.high - worst.low, 0.10);
  EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
}

TEST(ShapesPromptScore, GroundTruthScoresOneBlankScoresZeroAndAKnownShareItsRate) {
  const auto prompts = prompt_set(0, 40);
  std::vector<std::vector<DetectedObject>> truth, blank, mixed;
  for (const auto& p : prompts) {
    truth.push_back(detect(render(scene_for(p, 7))));
    blank.push_back({});
    // Every fourth image is the ground truth of a prompt of another category instead, which fails
    // most prompts (it may satisfy a few by chance: the counts below are taken independently).
    const auto& other = prompts[(static_cast<size_t>(p.id) + prompts.size() / 2) % prompts.size()];
    mixed.push_back(p.id % 4 == 0 && other.category != p.category ? detect(render(scene_for(other, 7))) : truth.back());
  }
  const PromptScore t = score_prompts(prompts, truth);
  ASSERT_EQ(t.categories.size(), static_cast<size_t>(kCategoryCount));
  for (const auto& c : t.categories) {
    EXPECT_EQ(c.prompts, 40) << category_name(c.category);
    EXPECT_EQ(c.satisfied, 40) << category_name(c.category);
    EXPECT_DOUBLE_EQ(c.interval.high, 1.0);
  }
  EXPECT_DOUBLE_EQ(t.overall, 1.0);
  const PromptScore b = score_prompts(prompts, blank);
  EXPECT_DOUBLE_EQ(b.overall, 0.0);
  for (const auto& c : b.categories) EXPECT_EQ(c.satisfied, 0) << category_name(c.category);
  // The mixed set: each category's rate is what was planted, counted independently here, and the
  // overall score is their mean.
  const PromptScore m = score_prompts(prompts, mixed);
  double mean = 0;
  for (const auto& c : m.categories) {
    int ok = 0;
    for (size_t i = 0; i < prompts.size(); ++i)
      if (prompts[i].category == c.category && satisfied(prompts[i], mixed[i])) ++ok;
    EXPECT_EQ(c.satisfied, ok);
    EXPECT_LT(c.satisfied, 40) << category_name(c.category) << ": the planted failures were not counted";
    EXPECT_LE(c.interval.low, c.rate);
    EXPECT_GE(c.interval.high, c.rate);
    mean += c.rate / kCategoryCount;
  }
  EXPECT_NEAR(m.overall, mean, 1e-12);
  EXPECT_LT(m.overall_interval.low, m.overall);
  EXPECT_GT(m.overall_interval.high, m.overall);
}

TEST(ShapesPromptScore, OneDetectionListPerPrompt) {
  const auto prompts = prompt_set(0, 2);
  EXPECT_THROW(score_prompts(prompts, {}), std::invalid_argument);
  EXPECT_THROW(score_prompts({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::shapes
