// The evaluation of shapes runs: the evaluation set cycles through the held-out scenes' complete
// captions with their classes, generated images reach the detector in its layout, and the
// prompt-following figures are stored under their names with their intervals.
#include "eval/prompt_following.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/data/shapes/captions.h"
#include "core/data/shapes/render.h"
#include "core/data/shapes_dataset.h"
#include "eval/evaluation_set.h"
#include "eval/protocol.h"
#include "results/caption_choice.h"
#include "results/metric_names.h"

namespace rflab::eval {
namespace {

const EvalDataset& shapes_data() {
  static const EvalDataset d = EvalDataset::of(core::shapes_dataset(0, results::parse_caption_choice("synthetic"), 300, 40));
  return d;
}

TEST(ShapesEvaluationSet, CaptionIIsHeldOutSceneIModH) {
  const auto& d = shapes_data();
  const auto captions = evaluation_captions(d, 100);
  const auto labels = evaluation_labels(d, 100);
  ASSERT_EQ(captions.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(captions[i], d.heldout_captions[i % 40]);
    EXPECT_EQ(labels[i].item<int64_t>(), d.heldout.labels[i % 40].item<int64_t>());
  }
  EXPECT_EQ(captions[3], shapes::synthetic_caption(shapes::scene_at(0, shapes::split_range(shapes::Split::heldout).begin + 3)));
}

TEST(ShapesEvaluationSet, GridIsTenRowsOfTheFirstSamples) {
  const auto& d = shapes_data();
  EXPECT_EQ(grid_columns(d, 100, 10), 10);
  EXPECT_EQ(grid_columns(d, 35, 10), 3);
  const auto images = d.heldout.images.narrow(0, 0, 30);
  const auto grid = evaluation_grid(images, d, 3);
  ASSERT_EQ(grid.size(1), kGridRows * 34 + 2);
  ASSERT_EQ(grid.size(2), 3 * 34 + 2);
  // Cell (row 4, column 2) is sample 4·3 + 2, in [0, 1].
  EXPECT_NEAR(grid[1][2 + 4 * 34 + 10][2 + 2 * 34 + 7].item<float>(),
              (images[14][1][10][7].item<float>() + 1) / 2, 1e-6);
}

TEST(PromptFollowing, GeneratedTensorsReachTheDetectorInItsLayout) {
  // Rendered scenes as the model's output ([3, 32, 32] in [-1, 1]) come back to the very scene.
  const int64_t first = shapes::split_range(shapes::Split::heldout).begin;
  const auto set = core::render_scenes(0, first, 25);
  for (int64_t i = 0; i < 25; ++i) {
    const auto scene = shapes::scene_at(0, first + i);
    const auto pixels = detector_pixels(set.images[i]);
    const auto hwc = shapes::render(scene);
    ASSERT_EQ(pixels.size(), hwc.size());
    for (size_t k = 0; k < hwc.size(); k += 97) EXPECT_NEAR(pixels[k], hwc[k], 1e-6);
    EXPECT_TRUE(shapes::recovers(scene, shapes::detect(pixels))) << "scene " << i;
  }
  EXPECT_THROW(detector_pixels(torch::zeros({1, 32, 32})), std::invalid_argument);
}

TEST(PromptFollowing, RowsCarryEveryCategoryAndTheOverallScoreWithIntervals) {
  const auto prompts = shapes::prompt_set(0, 10);
  std::vector<std::vector<shapes::DetectedObject>> found(prompts.size());
  // Ground truth for the first three prompts of each category, nothing for the rest.
  for (const auto& p : prompts)
    if (p.id % 10 < 3) {
      const auto scene = shapes::scene_for(p, 0);
      found[static_cast<size_t>(p.id)] = shapes::detect(shapes::render(scene));
    }
  const auto score = shapes::score_prompts(prompts, found);
  const auto rows = prompt_following_rows(score, prompt_set_hash(prompts));
  ASSERT_EQ(rows.size(), 3u * 7u);
  std::map<std::string, results::EvaluationRow> by;
  for (const auto& r : rows) {
    by[r.metric] = r;
    EXPECT_EQ(r.feature_space, "shapes-detector");
    EXPECT_EQ(r.evaluator_hash, prompt_set_hash(prompts));
  }
  for (const char* tag : {"single_object", "two_object", "counting", "colors", "position", "color_attr"}) {
    const std::string k = std::string("prompt/") + tag;
    ASSERT_TRUE(by.count(k)) << k;
    EXPECT_DOUBLE_EQ(by[k].value, 0.3) << k;
    EXPECT_EQ(by[k].n, 10);
    const auto w = shapes::wilson_interval(3, 10);
    EXPECT_DOUBLE_EQ(by[k + "/low"].value, w.low);
    EXPECT_DOUBLE_EQ(by[k + "/high"].value, w.high);
  }
  EXPECT_DOUBLE_EQ(by["prompt_score"].value, 0.3);
  EXPECT_EQ(by["prompt_score"].n, 60);
  const double half = 1.959963984540054 * std::sqrt(6 * 0.3 * 0.7 / 10) / 6;
  EXPECT_NEAR(by["prompt_score/low"].value, 0.3 - half, 1e-12);
  EXPECT_NEAR(by["prompt_score/high"].value, 0.3 + half, 1e-12);
  // Another prompt set is another yardstick.
  EXPECT_NE(prompt_set_hash(prompts), prompt_set_hash(shapes::prompt_set(1, 10)));
}

TEST(PromptFollowing, OnlyShapesRunsHaveAPromptSet) {
  EXPECT_TRUE(has_prompt_set(shapes_data()));
  EvalDataset other;
  other.name = "fashion-mnist";
  EXPECT_FALSE(has_prompt_set(other));
}

}  // namespace
}  // namespace rflab::eval
