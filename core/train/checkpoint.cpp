#include "core/train/checkpoint.h"

#include <sstream>

#include "core/io/safetensors.h"
#include "core/util/torch_compat.h"
#include "results/error.h"

namespace rflab::core {

namespace {
// Format 3 stores the AdamW state as named tensors; format 2 (still read) as one serialised
// archive, whose bytes depended on the order of a hash map keyed by tensor addresses.
constexpr const char* kFormat = "rflab-checkpoint-3";
constexpr const char* kFormatArchive = "rflab-checkpoint-2";

// "optimizer.G.I.": the state of parameter I of parameter group G.
std::string optimizer_prefix(size_t group, size_t index) {
  return "optimizer." + std::to_string(group) + "." + std::to_string(index) + ".";
}

// The AdamW state of every parameter that has one, under names that depend only on the
// parameter's position, so that equal states give equal bytes.
void add_optimizer(std::map<std::string, torch::Tensor>& out, const torch::optim::Optimizer& optimizer) {
  const auto& groups = optimizer.param_groups();
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t i = 0; i < groups[g].params().size(); ++i) {
      auto it = optimizer.state().find(compat::optimizer_state_key(optimizer.state(), groups[g].params()[i]));
      if (it == optimizer.state().end()) continue;
      const auto* s = dynamic_cast<const torch::optim::AdamWParamState*>(it->second.get());
      if (!s) throw std::logic_error("save_checkpoint: the optimizer is not AdamW");
      const std::string p = optimizer_prefix(g, i);
      out[p + "step"] = torch::tensor({s->step()}, torch::kInt64);
      out[p + "exp_avg"] = s->exp_avg().detach().to(torch::kCPU).contiguous();
      out[p + "exp_avg_sq"] = s->exp_avg_sq().detach().to(torch::kCPU).contiguous();
      if (s->max_exp_avg_sq().defined())
        out[p + "max_exp_avg_sq"] = s->max_exp_avg_sq().detach().to(torch::kCPU).contiguous();
    }
}

void add_module(std::map<std::string, torch::Tensor>& out, torch::nn::Module& m, const std::string& prefix) {
  for (const auto& p : m.named_parameters()) out[prefix + p.key()] = p.value().detach().to(torch::kCPU).contiguous();
}

void copy_module(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& t, const std::string& prefix,
                 const std::string& source) {
  torch::NoGradGuard g;
  for (auto& p : m.named_parameters()) {
    auto it = t.find(prefix + p.key());
    if (it == t.end()) throw_input_error(source, prefix + p.key(), "this tensor in the checkpoint", "it is missing");
    if (it->second.sizes() != p.value().sizes())
      throw_input_error(source, prefix + p.key(), "shape " + c10::str(p.value().sizes()), "shape " + c10::str(it->second.sizes()));
    p.value().copy_(it->second);
  }
}

bool module_differs(torch::nn::Module& a, torch::nn::Module& b) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    if (!pb.contains(p.key()) || !torch::equal(p.value(), pb[p.key()])) return true;
  return false;
}
}  // namespace

void save_checkpoint(const std::string& path, TextToImage& live, TextToImage& ema, torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta) {
  std::map<std::string, torch::Tensor> t;
  add_module(t, *live.backbone, "model.");
  add_module(t, *ema.backbone, "ema.model.");
  if (live.conditioner.tower.get() != ema.conditioner.tower.get() &&
      module_differs(*live.conditioner.tower, *ema.conditioner.tower))
    throw std::logic_error("save_checkpoint: the live and EMA systems have different text towers");
  add_module(t, *live.conditioner.tower, "conditioner.");
  if (optimizer) add_optimizer(t, *optimizer);
  std::map<std::string, std::string> md = {
      {"format", kFormat},
      {"step", std::to_string(meta.step)},
      {"config", meta.config.json().dump()},
      {"vocabulary", nlohmann::json(meta.vocabulary).dump()},
      {"conditioner_key", live.conditioner.key},
      {"conditioner_tower", live.conditioner.tower->config.to_json().dump()},
      {"best_val", nlohmann::json(std::isfinite(meta.best_val) ? nlohmann::json(meta.best_val) : nlohmann::json()).dump()},
      {"best_step", std::to_string(meta.best_step)},
      {"running", nlohmann::json{{"window_loss_sum", meta.window_loss_sum},
                                 {"window_loss_n", meta.window_loss_n},
                                 {"recent_losses", meta.recent_losses},
                                 {"recent_loss_sum", meta.recent_loss_sum}}
                      .dump()},
  };
  write_safetensors(path, t, md);
}

LoadedCheckpoint read_checkpoint(const std::string& path) {
  auto st = read_safetensors(path);
  LoadedCheckpoint ck;
  auto field = [&](const std::string& key) -> const std::string& {
    auto it = st.metadata.find(key);
    if (it == st.metadata.end()) throw_input_error(path, "__metadata__." + key, "an rflab checkpoint field", "none");
    return it->second;
  };
  if (field("format") != kFormat && field("format") != kFormatArchive)
    throw_input_error(path, "__metadata__.format", std::string(kFormat) + " or " + kFormatArchive, field("format"));
  try {
    ck.meta.step = std::stoll(field("step"));
    ck.meta.best_step = std::stoll(field("best_step"));
  } catch (const std::logic_error&) {
    throw_input_error(path, "__metadata__.step", "an integer", field("step"));
  }
  const auto config = nlohmann::json::parse(field("config"), nullptr, false);
  if (config.is_discarded()) throw_input_error(path, "__metadata__.config", "a JSON object", "invalid JSON");
  ck.meta.config = results::RunConfig::parse(config, path + ": __metadata__.config");
  auto vocab = nlohmann::json::parse(field("vocabulary"), nullptr, false);
  if (!vocab.is_array()) throw_input_error(path, "__metadata__.vocabulary", "a JSON list of words", field("vocabulary"));
  ck.meta.vocabulary = vocab.get<std::vector<std::string>>();
  ck.meta.conditioner_key = field("conditioner_key");
  ck.meta.conditioner_tower = nlohmann::json::parse(field("conditioner_tower"), nullptr, false);
  if (!ck.meta.conditioner_tower.is_object())
    throw_input_error(path, "__metadata__.conditioner_tower", "a JSON object", field("conditioner_tower"));
  auto best = nlohmann::json::parse(field("best_val"), nullptr, false);
  if (best.is_number()) ck.meta.best_val = best.get<double>();
  if (auto it = st.metadata.find("running"); it != st.metadata.end()) {
    const auto running = nlohmann::json::parse(it->second, nullptr, false);
    try {
      ck.meta.window_loss_sum = running.at("window_loss_sum").get<double>();
      ck.meta.window_loss_n = running.at("window_loss_n").get<int64_t>();
      ck.meta.recent_losses = running.at("recent_losses").get<std::vector<double>>();
      ck.meta.recent_loss_sum = running.at("recent_loss_sum").get<double>();
    } catch (const nlohmann::json::exception&) {
      throw_input_error(path, "__metadata__.running", "the trainer's running figures", it->second);
    }
  }
  ck.tensors = std::move(st.tensors);
  return ck;
}

void load_weights(TextToImage& system, const LoadedCheckpoint& ck, const std::string& prefix, const std::string& source) {
  copy_module(*system.backbone, ck.tensors, prefix, source);
}

TextConditioner load_conditioner(const LoadedCheckpoint& ck, const std::string& source) {
  const auto tc = ClipTextTowerConfig::from_json(ck.meta.conditioner_tower, source + ": __metadata__.conditioner_tower");
  TextConditioner c;
  c.tokenizer = Tokenizer::from_vocabulary(ck.meta.vocabulary, tc.max_tokens);
  if (c.tokenizer.vocabulary_size() != tc.vocabulary)
    throw_input_error(source, "__metadata__.vocabulary", std::to_string(tc.vocabulary) + " words (the text tower's)",
                      std::to_string(c.tokenizer.vocabulary_size()));
  c.tower = ClipTextTower(tc);
  copy_module(*c.tower, ck.tensors, "conditioner.", source);
  c.key = ck.meta.conditioner_key;
  return c;
}

std::unique_ptr<TextToImage> load_text_to_image(const LoadedCheckpoint& ck, const std::string& weights,
                                                const std::string& source) {
  if (weights != "ema" && weights != "raw") throw std::invalid_argument("load_text_to_image: weights must be ema or raw");
  auto system = std::make_unique<TextToImage>(ck.meta.config, load_conditioner(ck, source));
  load_weights(*system, ck, weights == "ema" ? "ema.model." : "model.", source);
  system->backbone->eval();
  return system;
}

void load_optimizer(torch::optim::Optimizer& optimizer, const LoadedCheckpoint& ck, const std::string& source) {
  auto it = ck.tensors.find("optimizer");
  if (it == ck.tensors.end()) {  // format 3: one set of named tensors per parameter with a state
    auto& groups = optimizer.param_groups();
    for (size_t g = 0; g < groups.size(); ++g)
      for (size_t i = 0; i < groups[g].params().size(); ++i) {
        const std::string p = optimizer_prefix(g, i);
        auto step = ck.tensors.find(p + "step");
        if (step == ck.tensors.end()) continue;  // no step taken yet
        const auto& param = groups[g].params()[i];
        auto need = [&](const std::string& name) {
          auto t = ck.tensors.find(p + name);
          if (t == ck.tensors.end()) throw_input_error(source, p + name, "this tensor in the checkpoint", "it is missing");
          if (t->second.sizes() != param.sizes())
            throw_input_error(source, p + name, "shape " + c10::str(param.sizes()), "shape " + c10::str(t->second.sizes()));
          return t->second.to(param.device()).clone();
        };
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(step->second.item<int64_t>());
        s->exp_avg(need("exp_avg"));
        s->exp_avg_sq(need("exp_avg_sq"));
        if (ck.tensors.count(p + "max_exp_avg_sq")) s->max_exp_avg_sq(need("max_exp_avg_sq"));
        optimizer.state()[compat::optimizer_state_key(optimizer.state(), param)] = std::move(s);
      }
    return;
  }
  std::string bytes(static_cast<const char*>(it->second.data_ptr()), static_cast<size_t>(it->second.numel()));
  std::istringstream is(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(is);
  optimizer.load(archive);
}

}  // namespace rflab::core
