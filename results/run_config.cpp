#include "results/run_config.h"

#include "results/caption_choice.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "results/error.h"
#include "results/formulation_name.h"
#include "results/sha256.h"

namespace rflab::results {

std::string fmt_range(const ConfigKey& k);  // "an integer in [1, 64]"

namespace {
using json = nlohmann::json;
using VT = ValueType;

// One schema entry bound to its field: `part` is the part of the RunConfig, `field` the member.
template <class Part, class T>
ConfigKey bound(std::string k, VT type, json d, double lo, double hi, std::vector<std::string> choices,
                Part RunConfig::*part, T Part::*field, std::string help) {
  ConfigKey c{std::move(k), type, std::move(d), lo, hi, std::move(choices), std::move(help), {}};
  c.assign = [part, field](RunConfig& rc, const json& v) { (rc.*part).*field = v.get<T>(); };
  return c;
}
template <class Part, class T>
ConfigKey I(std::string k, Part RunConfig::*part, T Part::*field, int64_t d, double lo, double hi, std::string help) {
  return bound(std::move(k), VT::integer, d, lo, hi, {}, part, field, std::move(help));
}
template <class Part>
ConfigKey N(std::string k, Part RunConfig::*part, double Part::*field, double d, double lo, double hi,
            std::string help) {
  return bound(std::move(k), VT::number, d, lo, hi, {}, part, field, std::move(help));
}
template <class Part>
ConfigKey B(std::string k, Part RunConfig::*part, bool Part::*field, bool d, std::string help) {
  return bound(std::move(k), VT::boolean, d, 0, 0, {}, part, field, std::move(help));
}
template <class Part>
ConfigKey S(std::string k, Part RunConfig::*part, std::string Part::*field, std::string d,
            std::vector<std::string> choices, std::string help) {
  return bound(std::move(k), VT::string, std::move(d), 0, 0, std::move(choices), part, field, std::move(help));
}

// A key added after configs were first hashed: left out of the canonical text at its default.
ConfigKey added_later(ConfigKey k) {
  k.since_identity = true;
  return k;
}

const char* type_name(VT t) {
  switch (t) {
    case VT::integer: return "an integer";
    case VT::number: return "a number";
    case VT::boolean: return "a boolean";
    case VT::string: return "a string";
  }
  return "?";
}

const ConfigKey* find_key(const std::string& key) {
  for (const auto& k : config_schema())
    if (k.key == key) return &k;
  return nullptr;
}

// Flattens nested objects into dotted keys; a leaf is anything that is not an object.
void flatten(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object())
      flatten(*it, key, out);
    else
      out.emplace_back(key, *it);
  }
}

json checked_value(const ConfigKey& k, const json& v, const std::string& source) {
  auto fail = [&](const std::string& expected) { throw_input_error(source, k.key, expected, v.dump()); };
  switch (k.type) {
    case VT::integer: {
      if (v.is_number_integer()) {
        double x = v.get<double>();
        if (x < k.min || x > k.max) fail(fmt_range(k));
        return v.get<int64_t>();
      }
      if (v.is_number_float()) {
        double x = v.get<double>();
        if (std::floor(x) != x) fail("an integer");
        if (x < k.min || x > k.max) fail(fmt_range(k));
        return static_cast<int64_t>(x);
      }
      fail("an integer");
    }
    case VT::number: {
      if (!v.is_number()) fail("a number");
      double x = v.get<double>();
      if (!std::isfinite(x) || x < k.min || x > k.max) fail(fmt_range(k));
      return x;  // stored as a double so 1 and 1.0 serialise alike
    }
    case VT::boolean:
      if (!v.is_boolean()) fail("true or false");
      return v;
    case VT::string: {
      if (!v.is_string()) fail("a string");
      if (!k.choices.empty()) {
        std::string s = v.get<std::string>();
        bool ok = false;
        for (const auto& c : k.choices) ok = ok || c == s;
        if (!ok) {
          std::string list;
          for (const auto& c : k.choices) list += (list.empty() ? "" : ", ") + c;
          fail("one of " + list);
        }
      }
      return v;
    }
  }
  return v;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The schema key closest to a misspelt one (at most 3 edits, or the same leaf under another
// group), for the "did you mean" hint.
std::string nearest_key_impl(const std::string& key) {
  auto leaf = [](const std::string& k) { return k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1); };
  std::string best;
  size_t best_d = 4;
  for (const auto& c : config_schema()) {
    size_t d = edit_distance(key, c.key);
    if (leaf(key) == leaf(c.key)) d = std::min<size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c.key;
    }
  }
  return best;
}

void set_dotted(json& j, const std::string& key, json value) {
  json* node = &j;
  size_t start = 0;
  for (;;) {
    size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[part] = std::move(value);
      return;
    }
    node = &(*node)[part];
    start = dot + 1;
  }
}

}  // namespace

std::string fmt_range(const ConfigKey& k) {
  auto num = [](double x) {
    json j = x;
    if (std::floor(x) == x && std::fabs(x) < 1e15) j = static_cast<int64_t>(x);
    return j.dump();
  };
  std::string s = std::string(type_name(k.type));
  if (k.min > -1e299 && k.max < 1e299) return s + " in [" + num(k.min) + ", " + num(k.max) + "]";
  if (k.min > -1e299) return s + " >= " + num(k.min);
  if (k.max < 1e299) return s + " <= " + num(k.max);
  return s;
}

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> schema = {
      // model: MM-DiT (SPEC §9) or a baseline backbone (§9.9). width/heads 0 = the sizing rule
      // 64·depth and depth heads.
      added_later(S("model.backbone", &RunConfig::model, &ModelConfig::backbone, "mmdit", kBackboneNames,
                    "mmdit (2 weight sets), mmdit3 (3: context, pooled token, image), dit (one sequence, one "
                    "weight set), crossdit (image tokens cross-attending to the text), uvit (dit with long skips)")),
      added_later(S("model.conditioning", &RunConfig::model, &ModelConfig::conditioning, "adaln_zero",
                    kConditioningNames,
                    "dit's block design (DiT paper Fig. 5): adaln_zero, adaln, cross_attention or in_context")),
      I("model.depth", &RunConfig::model, &ModelConfig::depth, 4, 1, 64, "number of joint blocks d"),
      I("model.width", &RunConfig::model, &ModelConfig::width, 0, 0, 16384, "hidden width H; 0 = 64*depth"),
      I("model.heads", &RunConfig::model, &ModelConfig::heads, 0, 0, 256, "attention heads; 0 = depth (head dim 64)"),
      I("model.patch_size", &RunConfig::model, &ModelConfig::patch_size, 4, 1, 16, "patch size p"),
      I("model.in_channels", &RunConfig::model, &ModelConfig::in_channels, 1, 1, 64, "latent / pixel channels C"),
      I("model.context_dim", &RunConfig::model, &ModelConfig::context_dim, 64, 1, 8192, "context token width T; must equal the conditioner's text width (64)"),
      I("model.pooled_dim", &RunConfig::model, &ModelConfig::pooled_dim, 64, 0, 8192,
        "pooled conditioning width P; must equal the conditioner's embedding width (64); 0 = no pooled vector"),
      I("model.mlp_ratio", &RunConfig::model, &ModelConfig::mlp_ratio, 4, 1, 16, "MLP width / H"),
      I("model.pos_embed_max_size", &RunConfig::model, &ModelConfig::pos_embed_max_size, 0, 0, 1024, "position table grid G; 0 = training patch grid"),
      B("model.qk_norm", &RunConfig::model, &ModelConfig::qk_norm, true, "RMSNorm on q and k (SPEC §9.4, D23)"),
      // formulation (SPEC §2) and timestep shift (SPEC §4.6)
      S("formulation", &RunConfig::formulation, &FormulationConfig::name, "rf/lognorm(0.00, 1.00)", {}, "training objective, canonical name"),
      N("shift", &RunConfig::formulation, &FormulationConfig::shift, 1.0, 1e-6, 1e6, "timestep shift alpha"),
      // train
      I("train.steps", &RunConfig::train, &TrainConfig::steps, 3000, 1, 1000000000, "optimizer steps"),
      I("train.batch_size", &RunConfig::train, &TrainConfig::batch_size, 64, 1, 1000000, "samples per step"),
      N("train.lr", &RunConfig::train, &TrainConfig::lr, 1e-3, 0, 10, "AdamW learning rate after warm-up"),
      I("train.warmup_steps", &RunConfig::train, &TrainConfig::warmup_steps, 200, 0, 1000000000, "linear warm-up steps (SPEC D16)"),
      N("train.beta1", &RunConfig::train, &TrainConfig::beta1, 0.9, 0, 1, "AdamW beta1"),
      N("train.beta2", &RunConfig::train, &TrainConfig::beta2, 0.999, 0, 1, "AdamW beta2"),
      N("train.adam_eps", &RunConfig::train, &TrainConfig::adam_eps, 1e-8, 0, 1, "AdamW epsilon"),
      N("train.weight_decay", &RunConfig::train, &TrainConfig::weight_decay, 0.0, 0, 10, "AdamW weight decay"),
      N("train.divergence_factor", &RunConfig::train, &TrainConfig::divergence_factor, 20.0, 0, 1e12,
        "stop as diverged when a step's loss exceeds this factor times the mean of the previous 100; 0 = off"),
      N("train.grad_clip", &RunConfig::train, &TrainConfig::grad_clip, 1.0, 0, 1e9, "max global gradient norm; 0 = no clipping"),
      N("train.ema_decay", &RunConfig::train, &TrainConfig::ema_decay, 0.999, 0, 1, "EMA decay per update"),
      I("train.ema_every", &RunConfig::train, &TrainConfig::ema_every, 1, 1, 1000000, "optimizer steps between EMA updates (paper: 100)"),
      I("train.seed", &RunConfig::train, &TrainConfig::seed, 0, 0, 9007199254740991.0, "training seed: initialisation, data order, noise"),
      I("train.checkpoint_every", &RunConfig::train, &TrainConfig::checkpoint_every, 250, 1, 1000000000, "steps between checkpoints"),
      I("train.log_every", &RunConfig::train, &TrainConfig::log_every, 25, 1, 1000000000, "steps between training-loss log lines and rows"),
      S("train.device", &RunConfig::train, &TrainConfig::device, "cpu", {"cpu", "cuda"}, "device"),
      added_later(S("train.precision", &RunConfig::train, &TrainConfig::precision, "fp32", {"fp32", "bf16"},
                    "fp32, or bf16 autocast of matrix products and attention with fp32 master weights, optimizer "
                    "state, losses and RMSNorm statistics")),
      // data
      S("data.dataset", &RunConfig::data, &DataConfig::dataset, "fashion-mnist", {"fashion-mnist", "shapes"},
        "fashion-mnist (class captions) or shapes (procedural RGB scenes with compositional captions, docs/shapes.md)"),
      S("data.root", &RunConfig::data, &DataConfig::root, "/usr/share/datasets/fashion-mnist", {}, "dataset folder (fashion-mnist)"),
      added_later(S("data.captions", &RunConfig::data, &DataConfig::captions, "synthetic", {},
                    "shapes: the training captions, original | synthetic | mix(p) (p: share of synthetic ones)")),
      added_later(I("data.seed", &RunConfig::data, &DataConfig::seed, 0, 0, 9007199254740991.0,
                    "shapes: the dataset seed (every image and caption is a function of seed and index)")),
      I("data.image_size", &RunConfig::data, &DataConfig::image_size, 32, 28, 1024, "images are zero-padded to this size"),
      N("data.cond_dropout", &RunConfig::data, &DataConfig::cond_dropout, 0.1, 0, 1, "probability that a sample's conditioning is zeroed"),
      // text encoder (SPEC §7.2: one source): the frozen text tower of the conditioner mini-CLIP,
      // trained on the dataset (or loaded from the cache) before the run
      S("text.encoder", &RunConfig::text, &TextConfig::encoder, "mini-clip", {"mini-clip"}, "the frozen text tower of the conditioner mini-CLIP"),
      I("text.max_tokens", &RunConfig::text, &TextConfig::max_tokens, 8, 1, 512, "context tokens M (the conditioner's tokenizer length)"),
      I("text.clip_steps", &RunConfig::text, &TextConfig::clip_steps, 400, 1, 1000000000, "training steps of the conditioner mini-CLIP"),
      I("text.clip_seed", &RunConfig::text, &TextConfig::clip_seed, 1, 0, 9007199254740991.0, "seed of the conditioner mini-CLIP"),
      // eval
      I("eval.every", &RunConfig::eval, &EvalConfig::every, 250, 1, 1000000000, "steps between validation-loss evaluations"),
      I("eval.val_size", &RunConfig::eval, &EvalConfig::val_size, 512, 1, 1000000, "held-out samples in the validation set V"),
      I("eval.val_seed", &RunConfig::eval, &EvalConfig::val_seed, 1234, 0, 9007199254740991.0, "seed of the validation noise"),
      I("eval.sample_seed", &RunConfig::eval, &EvalConfig::sample_seed, 4321, 0, 9007199254740991.0, "seed of sampling noise (D9)"),
      I("eval.sample_steps", &RunConfig::eval, &EvalConfig::sample_steps, 50, 1, 100000, "sampler steps for the end-of-run grid"),
      N("eval.sample_cfg", &RunConfig::eval, &EvalConfig::sample_cfg, 2.5, 0, 100, "CFG scale for the end-of-run grid"),
      I("eval.samples_per_class", &RunConfig::eval, &EvalConfig::samples_per_class, 10, 0, 1000, "grid columns per class in the end-of-run grid"),
  };
  return schema;
}

std::vector<std::pair<std::string, json>> flatten_config(const json& config) {
  std::vector<std::pair<std::string, json>> out;
  flatten(config, "", out);
  return out;
}

std::string nearest_config_key(const std::string& key) { return nearest_key_impl(key); }

void throw_unknown_config_key(const std::string& source, const std::string& field, const std::string& key) {
  const std::string near = nearest_config_key(key);
  throw UserError(input_error_message(source, field, "a known config key", "'" + key + "'") +
                  (near.empty() ? "" : " (did you mean " + near + "?)"));
}

json complete_config(const json& partial, const std::string& source) {
  if (!partial.is_object()) throw_input_error(source, "(top level)", "a JSON object", partial.type_name());
  std::vector<std::pair<std::string, json>> given;
  flatten(partial, "", given);
  json out = json::object();
  std::set<std::string> seen;
  for (const auto& [key, value] : given) {
    const ConfigKey* k = find_key(key);
    if (!k) throw_unknown_config_key(source, key, key);
    if (!seen.insert(key).second) throw_input_error(source, key, "the key once", "it twice");
    set_dotted(out, key, checked_value(*k, value, source));
  }
  for (const auto& k : config_schema())
    if (!seen.count(k.key)) set_dotted(out, k.key, k.default_value);
  return out;
}

void apply_set(json& config, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw_input_error("--set", assignment, "key=value", "'" + assignment + "'");
  std::string key = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  const ConfigKey* k = find_key(key);
  if (!k) throw_unknown_config_key("--set", key, key);
  json v;
  if (k->type == VT::string) {
    v = text;
  } else {
    v = json::parse(text, nullptr, false);
    if (v.is_discarded()) throw_input_error("--set", key, type_name(k->type), "'" + text + "'");
  }
  set_dotted(config, key, checked_value(*k, v, "--set"));
}

const json& config_at(const json& config, const std::string& dotted_key) {
  const json* node = &config;
  size_t start = 0;
  for (;;) {
    size_t dot = dotted_key.find('.', start);
    std::string part = dotted_key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part))
      throw std::logic_error("config has no key " + dotted_key);
    node = &(*node)[part];
    if (dot == std::string::npos) return *node;
    start = dot + 1;
  }
}

std::string canonical_json(const json& config) {
  // nlohmann's object is an ordered std::map, so dump() sorts keys; doubles print in the
  // shortest round-trip form. Keys added later are written only where they differ from their
  // default, so the hash of every config that predates them is unchanged.
  json c = config;
  for (const auto& k : config_schema()) {
    if (!k.since_identity) continue;
    std::string path = "/" + k.key;
    std::replace(path.begin(), path.end(), '.', '/');
    const json::json_pointer at(path);
    if (c.contains(at) && c.at(at) == k.default_value) c.at(at.parent_pointer()).erase(at.back());
  }
  return c.dump();
}

std::string config_hash(const json& config) { return sha256_hex(canonical_json(config)); }

std::optional<ShapeProblem> model_shape_problem(int64_t depth, int64_t hidden, int64_t heads, int64_t patch_size,
                                                int64_t grid) {
  const std::string h = std::to_string(hidden);
  if (depth < 1) return ShapeProblem{"depth", "an integer >= 1", std::to_string(depth)};
  if (hidden % 4 != 0 || hidden < 4)
    return ShapeProblem{"width", "a positive multiple of 4 (the 2-D sin-cos position table)", h};
  if (heads < 1 || hidden % heads != 0)
    return ShapeProblem{"heads", "a divisor of the width " + h, std::to_string(heads)};
  if (patch_size < 1) return ShapeProblem{"patch_size", "an integer >= 1", std::to_string(patch_size)};
  if (grid < 1) return ShapeProblem{"pos_embed_max_size", "an integer >= 1", std::to_string(grid)};
  return std::nullopt;
}

namespace {
// A shapes run's tensors are the dataset's: 3 channels of 32x32 images, and contexts that hold
// the longest synthetic caption, so no caption is cut (docs/shapes.md).
void require_shapes_shape(const RunConfig& rc, const std::string& source) {
  if (rc.model.in_channels != kShapesChannels)
    throw_input_error(source, "model.in_channels", "3 (shapes images are RGB)", std::to_string(rc.model.in_channels));
  if (rc.data.image_size != kShapesImageSize)
    throw_input_error(source, "data.image_size", "32 (the size shapes images are drawn at)",
                      std::to_string(rc.data.image_size));
  if (rc.text.max_tokens < kShapesCaptionWords)
    throw_input_error(source, "text.max_tokens",
                      "at least " + std::to_string(kShapesCaptionWords) + " (the longest shapes caption, in words)",
                      std::to_string(rc.text.max_tokens));
}
}  // namespace

RunConfig RunConfig::parse(const nlohmann::json& partial, const std::string& source) {
  RunConfig rc;
  rc.json_ = complete_config(partial, source);
  for (const auto& k : config_schema()) k.assign(rc, config_at(rc.json_, k.key));
  try {
    // Validated, not rewritten: the stored spelling is part of the config's identity.
    parse_formulation_name(rc.formulation.name);
  } catch (const FormulationNameError& e) {
    throw_input_error(source, "formulation", e.expected, "'" + e.name + "'");
  }
  // Spelled canonically, as the formulation: the stored text is part of the config's identity.
  const auto captions = parse_caption_choice(rc.data.captions, source, "data.captions");
  if (to_string(captions) != rc.data.captions)
    throw_input_error(source, "data.captions", "the canonical spelling '" + to_string(captions) + "'",
                      "'" + rc.data.captions + "'");
  if (rc.data.dataset == "shapes") require_shapes_shape(rc, source);
  const auto& m = rc.model;
  if (m.conditioning != "adaln_zero" && m.backbone != "dit")
    throw_input_error(source, "model.conditioning",
                      "adaln_zero (the other block designs are model.backbone dit's; this config's is " +
                          m.backbone + ")",
                      "'" + m.conditioning + "'");
  if (m.backbone == "mmdit3" && m.pooled_dim == 0)
    throw_input_error(source, "model.pooled_dim",
                      "a width > 0 (mmdit3's third weight set is the pooled vector's token)", "0");
  if (auto p = model_shape_problem(m.depth, m.hidden(), m.num_heads(), m.patch_size, m.position_grid(rc.data.image_size))) {
    // Name the key the user set: a derived width or head count is the depth's doing.
    const bool derived = (p->field == "width" && m.width == 0) || (p->field == "heads" && m.heads == 0);
    throw_input_error(source, "model." + (derived ? std::string("depth") : p->field), p->expected, p->got);
  }
  // The trainer's images tile into whole patches, and the position table covers the patch grid.
  const int64_t image = rc.data.image_size;
  if (image % m.patch_size != 0)
    throw_input_error(source, "model.patch_size", "a divisor of data.image_size " + std::to_string(image),
                      std::to_string(m.patch_size));
  if (m.position_grid(image) < image / m.patch_size)
    throw_input_error(source, "model.pos_embed_max_size",
                      "0 or at least the patch grid " + std::to_string(image / m.patch_size),
                      std::to_string(m.pos_embed_max_size));
  return rc;
}

std::string RunConfig::canonical_json() const { return results::canonical_json(json_); }

std::string RunConfig::hash() const { return config_hash(json_); }

}  // namespace rflab::results
