// The variant of a run in a study over two datasets: keys that only follow the dataset (the
// shapes runs' channels and context length) do not split a variant; keys varied within one
// dataset do. Likewise in a backbone sweep: the variant is the architecture, and the width and
// depth chosen per backbone do not split it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/study_runs.h"

namespace rflab::reports {
namespace {

std::string config(const std::string& formulation, const std::string& dataset, int channels, int tokens,
                   const std::string& captions = "synthetic") {
  return nlohmann::json{{"formulation", formulation},
                        {"data", {{"dataset", dataset}, {"captions", captions}}},
                        {"model", {{"in_channels", channels}}},
                        {"text", {{"max_tokens", tokens}}},
                        {"train", {{"seed", 0}}}}
      .dump();
}

TEST(StudyRuns, KeysBoundToTheDatasetDoNotSplitAVariant) {
  const std::vector<std::string> configs = {config("rf", "fashion-mnist", 1, 8), config("v/cos", "fashion-mnist", 1, 8),
                                            config("rf", "shapes", 3, 28), config("v/cos", "shapes", 3, 28)};
  const auto runs = study_runs(configs, std::vector<std::optional<results::RunRow>>(configs.size()));
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].variant, "rf");
  EXPECT_EQ(runs[2].variant, "rf");
  EXPECT_EQ(runs[1].variant, "v/cos");
  EXPECT_EQ(runs[3].variant, "v/cos");
  EXPECT_EQ(runs[2].dataset, "shapes");
}

TEST(StudyRuns, KeysVariedWithinADatasetNameTheVariant) {
  // The caption study: one dataset, the captions varied.
  const std::vector<std::string> configs = {config("rf", "shapes", 3, 28, "original"),
                                            config("rf", "shapes", 3, 28, "mix(0.5)")};
  const auto runs = study_runs(configs, std::vector<std::optional<results::RunRow>>(configs.size()));
  EXPECT_EQ(runs[0].variant, "data.captions=original");
  EXPECT_EQ(runs[1].variant, "data.captions=mix(0.5)");
  // A key that differs within one of two datasets still names variants.
  const std::vector<std::string> mixed = {config("rf", "fashion-mnist", 1, 8), config("rf", "fashion-mnist", 1, 16),
                                          config("rf", "shapes", 3, 28)};
  const auto m = study_runs(mixed, std::vector<std::optional<results::RunRow>>(mixed.size()));
  EXPECT_EQ(m[0].variant, "text.max_tokens=8");
  EXPECT_EQ(m[1].variant, "text.max_tokens=16");
  EXPECT_EQ(m[2].variant, "text.max_tokens=28");
}

// A stored config as the trainer writes it: model.backbone and model.conditioning only where
// they differ from their defaults (mmdit, adaln_zero).
std::string arch_config(const std::string& backbone, const std::string& conditioning, int depth, int width,
                        const std::string& formulation = "rf") {
  nlohmann::json model = {{"depth", depth}, {"width", width}};
  if (!backbone.empty()) model["backbone"] = backbone;
  if (!conditioning.empty()) model["conditioning"] = conditioning;
  return nlohmann::json{{"formulation", formulation}, {"model", model}, {"train", {{"seed", 0}}}}.dump();
}

std::vector<StudyRun> runs_of(const std::vector<std::string>& configs) {
  return study_runs(configs, std::vector<std::optional<results::RunRow>>(configs.size()));
}

TEST(StudyRuns, ABackboneSweepIsNamedByArchitectureNotByTheWidthsThatMatchParameters) {
  const auto runs = runs_of({arch_config("", "", 4, 256), arch_config("dit", "", 4, 288), arch_config("crossdit", "", 3, 320),
                             arch_config("dit", "in_context", 4, 272)});
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].variant, "mmdit");  // the stored config has no model.backbone
  EXPECT_EQ(runs[0].backbone, "mmdit");
  EXPECT_EQ(runs[1].variant, "dit (adaln_zero)");
  EXPECT_EQ(runs[2].variant, "crossdit");
  EXPECT_EQ(runs[3].variant, "dit (in_context)");
  EXPECT_EQ(runs[3].conditioning, "in_context");
  EXPECT_EQ(runs[2].depth, 3);
  EXPECT_EQ(runs[2].width, 320);
}

TEST(StudyRuns, KeysVariedWithinAnArchitectureStillNameTheVariant) {
  // A width ladder per backbone: the width is not bound to the backbone.
  const auto ladder = runs_of({arch_config("", "", 4, 256), arch_config("", "", 4, 512), arch_config("dit", "", 4, 256),
                               arch_config("dit", "", 4, 512)});
  EXPECT_EQ(ladder[0].variant, "mmdit model.width=256");
  EXPECT_EQ(ladder[3].variant, "dit (adaln_zero) model.width=512");
  // Backbones crossed with formulations: both name the variant, the per-backbone width does not.
  const auto crossed = runs_of({arch_config("", "", 4, 256, "rf"), arch_config("", "", 4, 256, "v/cos"),
                                arch_config("uvit", "", 4, 240, "rf"), arch_config("uvit", "", 4, 240, "v/cos")});
  EXPECT_EQ(crossed[1].variant, "v/cos mmdit");
  EXPECT_EQ(crossed[2].variant, "rf uvit");
  // One backbone at two widths: a width study, named by the width.
  const auto widths = runs_of({arch_config("dit", "", 4, 256), arch_config("dit", "", 4, 512)});
  EXPECT_EQ(widths[0].variant, "model.width=256");
  // A width of 0 follows the sizing rule.
  EXPECT_EQ(runs_of({arch_config("", "", 4, 0)})[0].width, 256);
}

}  // namespace
}  // namespace rflab::reports
