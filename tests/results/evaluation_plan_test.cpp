// The control settings of SPEC §5.3 and the evaluation plan of a sweep file's "evaluation" block.
#include "results/evaluation_plan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "results/error.h"
#include "tests/util/user_error.h"

namespace rflab::results {
namespace {

using rflab::testing::user_error_of;

TEST(ControlSettings, TableIsSpec53) {
  const std::vector<ControlSetting> spec = {{"S1", 50, 1.0}, {"S2", 50, 2.5}, {"S3", 50, 5.0},
                                            {"S4", 5, 5.0},  {"S5", 10, 5.0}, {"S6", 25, 5.0}};
  EXPECT_EQ(control_settings(), spec);
}

TEST(ControlSettings, NamedListKeepsOrderAndRejectsUnknown) {
  const auto s = control_settings_named("S4,S1", "--settings");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (ControlSetting{"S4", 5, 5.0}));
  EXPECT_EQ(s[1], (ControlSetting{"S1", 50, 1.0}));
  EXPECT_NE(user_error_of([] { control_settings_named("S1,S7", "--settings"); }).find("--settings"), std::string::npos);
  EXPECT_NE(user_error_of([] { parse_weights_list("ema,best", "--weights"); }).find("best"), std::string::npos);
}

TEST(EvaluationPlan, QuickSweepBlockNamesItsSettingsWeightsAndN) {
  std::ifstream in(std::string(RFLAB_SOURCE_DIR) + "/sweeps/objectives-quick.json");
  const auto doc = nlohmann::json::parse(in);
  const auto plan = parse_evaluation_plan(doc.at("evaluation"), "objectives-quick.json");
  EXPECT_EQ(plan.settings, control_settings_named("S3,S4,S6", "settings"));
  EXPECT_EQ(plan.weights, (std::vector<std::string>{"ema", "raw"}));
  EXPECT_EQ(plan.samples, 100);
}

TEST(EvaluationPlan, ErrorsNameFileAndJsonPath) {
  const nlohmann::json bad = {{"settings", {{{"name", "S1"}, {"steps", 50}, {"cfg", 1.0}},
                                            {{"name", "X"}, {"steps", 5}, {"cfg", "high"}}}}};
  const auto msg = user_error_of([&] { parse_evaluation_plan(bad, "sweep.json"); });
  EXPECT_NE(msg.find("sweep.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("evaluation.settings[1].cfg"), std::string::npos) << msg;
  const auto weights = user_error_of([] { parse_evaluation_plan({{"weights", {"ema", "last"}}}, "s.json"); });
  EXPECT_NE(weights.find("evaluation.weights[1]"), std::string::npos) << weights;
  const auto n = user_error_of([] { parse_evaluation_plan({{"samples", 0}}, "s.json"); });
  EXPECT_NE(n.find("evaluation.samples"), std::string::npos) << n;
}

TEST(EvaluationPlan, AMetricsListIsRefusedRatherThanIgnored) {
  const auto msg = user_error_of([] { parse_evaluation_plan({{"metrics", {"clip_fid"}}}, "s.json"); });
  EXPECT_NE(msg.find("s.json: evaluation.metrics"), std::string::npos) << msg;
}

}  // namespace
}  // namespace rflab::results
