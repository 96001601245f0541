#include "eval/validation_evaluator.h"

#include "core/data/fashion_mnist.h"
#include "eval/protocol.h"

namespace rflab::eval {

core::ValidationSet validation_set_of(const nlohmann::json& rc) {
  const auto data = core::FashionMnist::load(rc.at("data").at("root").get<std::string>(),
                                             rc.at("data").at("image_size").get<int64_t>());
  const int64_t n = std::min<int64_t>(rc.at("eval").at("val_size").get<int64_t>(), data.heldout().images.size(0));
  core::ValidationSet v;
  v.images = data.heldout().images.narrow(0, 0, n);
  const auto labels = data.heldout().labels.narrow(0, 0, n);
  for (int64_t i = 0; i < n; ++i) v.captions.push_back(core::FashionMnist::canonical_caption(labels[i].item<int64_t>()));
  return v;
}

CheckpointValidation validate_checkpoint(const core::LoadedCheckpoint& ck, const std::string& weights,
                                         const std::string& source, torch::Device device) {
  auto system = core::load_text_to_image(ck, weights, source);
  system->to(device);
  auto v = validation_set_of(ck.meta.config);
  CheckpointValidation out;
  out.loss = core::validation_loss(*system, v, ck.meta.config.at("eval").at("val_seed").get<uint64_t>());
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
