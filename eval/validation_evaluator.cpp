#include "eval/validation_evaluator.h"

#include "core/data/dataset.h"
#include "eval/protocol.h"

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
