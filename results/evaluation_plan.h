// The evaluation plan of a sweep file's "evaluation" block: which control settings of SPEC §5.3
// (sampler steps and CFG scale, S1–S6, or named custom ones), which weights (EMA, raw) and how
// many samples N. Figures are only comparable at equal N (FD is biased at small N), so N is part
// of every plan and every stored row. Torch-free, so that parse_sweep validates the block before
// any training.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/control_setting.h"

namespace rflab::results {

// The settings named in a comma-separated list ("S1,S4"); UserError naming `field` on an unknown name.
std::vector<ControlSetting> control_settings_named(const std::string& list, const std::string& field);

constexpr int64_t kDefaultEvaluationSamples = 1000;  // the paper's N per sampler setting

struct EvaluationPlan {
  std::vector<ControlSetting> settings = control_settings();
  std::vector<std::string> weights = {"ema", "raw"};
  int64_t samples = kDefaultEvaluationSamples;
};

// "ema,raw" -> {"ema", "raw"}; UserError naming `field` on anything but ema/raw or a repeat.
std::vector<std::string> parse_weights_list(const std::string& list, const std::string& field);

// A sweep file's "evaluation" object: {"checkpoint": "min_native_ema_validation_loss",
// "weights": [...], "settings": [{"name", "steps", "cfg"} or "S1", ...], "samples": N,
// }. Absent fields keep the defaults; null gives the default plan. Every evaluation computes all
// metrics of both feature spaces, so there is no "metrics" field. Errors name `file` and the
// JSON path (evaluation.settings[2].cfg).
EvaluationPlan parse_evaluation_plan(const nlohmann::json& evaluation, const std::string& file);

}  // namespace rflab::results
