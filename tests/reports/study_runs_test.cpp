// The variant of a run in a study over two datasets: keys that only follow the dataset (the
// shapes runs' channels and context length) do not split a variant; keys varied within one
// dataset do.
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

}  // namespace
}  // namespace rflab::reports
