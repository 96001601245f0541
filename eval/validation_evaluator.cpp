#include "eval/validation_evaluator.h"

#include "core/data/dataset.h"
#include "eval/protocol.h"

#include <cmath>
#include <map>

namespace rflab::eval {

core::ValidationSet validation_set_of(const results::RunConfig& rc) {
  return core::validation_set(core::load_dataset(rc.data), rc.eval);
}

CheckpointValidation validate_checkpoint(const core::LoadedCheckpoint& ck, const std::string& weights,
                                         const std::string& source, torch::Device device) {
  auto system = core::load_text_to_image(ck, weights, source);
  system->to(device);
  auto v = validation_set_of(ck.meta.config);
  CheckpointValidation out;
  out.loss = core::validation_loss(*system, v, ck.meta.config.eval.val_seed);
  out.step = ck.meta.step;
  out.n = v.images.size(0);
  out.weights = weights;
  return out;
}

std::optional<CheckpointValidation> trained_ema_validation(const core::LoadedCheckpoint& ck,
                                                           const std::vector<results::MetricRow>& run_metrics) {
  std::map<std::string, double> at_step;
  for (const auto& m : run_metrics)
    if (m.step == ck.meta.step) at_step[m.key] = m.value;
  // The names validation_metrics gives, in its order: both means, then per level native and velocity.
  core::ValidationLoss zero;
  zero.native.assign(core::kValidationLevels, 0.0);
  zero.velocity.assign(core::kValidationLevels, 0.0);
  std::vector<double> values;
  for (const auto& [name, unused] : core::validation_metrics(zero, "val/")) {
    auto it = at_step.find(name);
    if (it == at_step.end() || !std::isfinite(it->second)) return std::nullopt;
    values.push_back(it->second);
  }
  CheckpointValidation out;
  out.loss.native_mean = values[0];
  out.loss.velocity_mean = values[1];
  for (int k = 0; k < core::kValidationLevels; ++k) {
    out.loss.native.push_back(values[2 + 2 * k]);
    out.loss.velocity.push_back(values[3 + 2 * k]);
  }
  out.step = ck.meta.step;
  out.n = validation_set_of(ck.meta.config).images.size(0);
  out.weights = "ema";
  return out;
}

std::vector<results::EvaluationRow> validation_rows(const CheckpointValidation& v, int64_t run_id) {
  std::vector<results::EvaluationRow> out;
  for (const auto& [metric, value] : core::validation_metrics(v.loss, "val/")) {
    results::EvaluationRow r{};
    r.run_id = run_id;
    r.checkpoint_step = v.step;
    r.weights = v.weights;
    r.setting = kValSetting;
    r.steps = 0;
    r.cfg = 0;
    r.metric = metric;
    r.value = value;
    r.n = v.n;
    out.push_back(r);
  }
  return out;
}

}  // namespace rflab::eval
