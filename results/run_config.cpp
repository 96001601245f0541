#include "results/run_config.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "results/error.h"
#include "results/sha256.h"

namespace rflab::results {

std::string fmt_range(const ConfigKey& k);  // "an integer in [1, 64]"

namespace {
using json = nlohmann::json;
using VT = ValueType;

ConfigKey I(std::string k, int64_t d, double lo, double hi, std::string help) {
  return {std::move(k), VT::integer, d, lo, hi, {}, std::move(help)};
}
ConfigKey N(std::string k, double d, double lo, double hi, std::string help) {
  return {std::move(k), VT::number, d, lo, hi, {}, std::move(help)};
}
ConfigKey B(std::string k, bool d, std::string help) { return {std::move(k), VT::boolean, d, 0, 0, {}, std::move(help)}; }
ConfigKey S(std::string k, std::string d, std::vector<std::string> choices, std::string help) {
  return {std::move(k), VT::string, d, 0, 0, std::move(choices), std::move(help)};
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
      // model: MM-DiT (SPEC §9). width/heads 0 = the sizing rule 64·depth and depth heads.
      I("model.depth", 4, 1, 64, "number of joint blocks d"),
      I("model.width", 0, 0, 16384, "hidden width H; 0 = 64*depth"),
      I("model.heads", 0, 0, 256, "attention heads; 0 = depth (head dim 64)"),
      I("model.patch_size", 4, 1, 16, "patch size p"),
      I("model.in_channels", 1, 1, 64, "latent / pixel channels C"),
      I("model.context_dim", 64, 1, 8192, "context token width T; must equal the conditioner's text width (64)"),
      I("model.pooled_dim", 64, 0, 8192,
        "pooled conditioning width P; must equal the conditioner's embedding width (64); 0 = no pooled vector"),
      I("model.mlp_ratio", 4, 1, 16, "MLP width / H"),
      I("model.pos_embed_max_size", 0, 0, 1024, "position table grid G; 0 = training patch grid"),
      B("model.qk_norm", true, "RMSNorm on q and k (SPEC §9.4, D23)"),
      // formulation (SPEC §2) and timestep shift (SPEC §4.6)
      S("formulation", "rf/lognorm(0.00, 1.00)", {}, "training objective, canonical name"),
      N("shift", 1.0, 1e-6, 1e6, "timestep shift alpha"),
      // train
      I("train.steps", 3000, 1, 1000000000, "optimizer steps"),
      I("train.batch_size", 64, 1, 1000000, "samples per step"),
      N("train.lr", 1e-3, 0, 10, "AdamW learning rate after warm-up"),
      I("train.warmup_steps", 200, 0, 1000000000, "linear warm-up steps (SPEC D16)"),
      N("train.beta1", 0.9, 0, 1, "AdamW beta1"),
      N("train.beta2", 0.999, 0, 1, "AdamW beta2"),
      N("train.adam_eps", 1e-8, 0, 1, "AdamW epsilon"),
      N("train.weight_decay", 0.0, 0, 10, "AdamW weight decay"),
      N("train.divergence_factor", 20.0, 0, 1e12,
        "stop as diverged when a step's loss exceeds this factor times the mean of the previous 100; 0 = off"),
      N("train.grad_clip", 1.0, 0, 1e9, "max global gradient norm; 0 = no clipping"),
      N("train.ema_decay", 0.999, 0, 1, "EMA decay per update"),
      I("train.ema_every", 1, 1, 1000000, "optimizer steps between EMA updates (paper: 100)"),
      I("train.seed", 0, 0, 9007199254740991.0, "training seed: initialisation, data order, noise"),
      I("train.checkpoint_every", 250, 1, 1000000000, "steps between checkpoints"),
      I("train.log_every", 25, 1, 1000000000, "steps between training-loss log lines and rows"),
      S("train.device", "cpu", {"cpu", "cuda"}, "device"),
      // data
      S("data.dataset", "fashion-mnist", {"fashion-mnist"}, "dataset"),
      S("data.root", "/usr/share/datasets/fashion-mnist", {}, "dataset folder"),
      I("data.image_size", 32, 28, 1024, "images are zero-padded to this size"),
      N("data.cond_dropout", 0.1, 0, 1, "probability that a sample's conditioning is zeroed"),
      // text encoder (SPEC §7.2: one source): the frozen text tower of the conditioner mini-CLIP,
      // trained on the dataset (or loaded from the cache) before the run
      S("text.encoder", "mini-clip", {"mini-clip"}, "the frozen text tower of the conditioner mini-CLIP"),
      I("text.max_tokens", 8, 1, 512, "context tokens M (the conditioner's tokenizer length)"),
      I("text.clip_steps", 400, 1, 1000000000, "training steps of the conditioner mini-CLIP"),
      I("text.clip_seed", 1, 0, 9007199254740991.0, "seed of the conditioner mini-CLIP"),
      // eval
      I("eval.every", 250, 1, 1000000000, "steps between validation-loss evaluations"),
      I("eval.val_size", 512, 1, 1000000, "held-out samples in the validation set V"),
      I("eval.val_seed", 1234, 0, 9007199254740991.0, "seed of the validation noise"),
      I("eval.sample_seed", 4321, 0, 9007199254740991.0, "seed of sampling noise (D9)"),
      I("eval.sample_steps", 50, 1, 100000, "sampler steps for the end-of-run grid"),
      N("eval.sample_cfg", 2.5, 0, 100, "CFG scale for the end-of-run grid"),
      I("eval.samples_per_class", 10, 0, 1000, "grid columns per class in the end-of-run grid"),
  };
  return schema;
}

std::vector<std::pair<std::string, json>> flatten_config(const json& config) {
  std::vector<std::pair<std::string, json>> out;
  flatten(config, "", out);
  return out;
}

std::string nearest_config_key(const std::string& key) { return nearest_key_impl(key); }

json complete_config(const json& partial, const std::string& source) {
  if (!partial.is_object()) throw_input_error(source, "(top level)", "a JSON object", partial.type_name());
  std::vector<std::pair<std::string, json>> given;
  flatten(partial, "", given);
  json out = json::object();
  std::set<std::string> seen;
  for (const auto& [key, value] : given) {
    const ConfigKey* k = find_key(key);
    if (!k) {
      std::string near = nearest_config_key(key);
      throw UserError(input_error_message(source, key, "a known config key", "an unknown key") +
                      (near.empty() ? "" : " (did you mean " + near + "?)"));
    }
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
  if (!k) {
    std::string near = nearest_config_key(key);
    throw UserError(input_error_message("--set", key, "a known config key", "an unknown key") +
                    (near.empty() ? "" : " (did you mean " + near + "?)"));
  }
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
  // shortest round-trip form.
  return config.dump();
}

std::string config_hash(const json& config) { return sha256_hex(canonical_json(config)); }

}  // namespace rflab::results
