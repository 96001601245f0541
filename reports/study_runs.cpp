#include "reports/study_runs.h"

#include <algorithm>
#include <map>
#include <set>

#include "results/run_config.h"

namespace rflab::reports {
namespace {

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

constexpr const char* kBackboneKey = "model.backbone";
constexpr const char* kConditioningKey = "model.conditioning";

// The dotted keys of a stored config with the schema keys it leaves out at their defaults (keys
// added after configs were first hashed): an older run and a newer one at the default then agree.
std::vector<std::pair<std::string, nlohmann::json>> flatten_with_defaults(const nlohmann::json& config) {
  auto flat = results::flatten_config(config);
  std::set<std::string> present;
  for (const auto& [k, v] : flat) present.insert(k);
  for (const auto& k : results::config_schema())
    if (k.since_identity && !present.count(k.key)) flat.emplace_back(k.key, k.default_value);
  // In key order, as a stored config's own keys are: the defaults take their places among them.
  std::stable_sort(flat.begin(), flat.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return flat;
}

// A key's value in a flattened config, or nullptr.
const nlohmann::json* flat_value(const std::vector<std::pair<std::string, nlohmann::json>>& flat, const std::string& key) {
  for (const auto& [k, v] : flat)
    if (k == key) return &v;
  return nullptr;
}

// Whether `key`'s value is a function of `group` across the configs: constant within each of
// two or more groups and different between some of them.
bool bound_to(const std::vector<std::vector<std::pair<std::string, nlohmann::json>>>& flat, const std::string& key,
              const std::vector<std::string>& group) {
  std::map<std::string, std::set<std::string>> by;  // group -> values
  for (size_t i = 0; i < flat.size(); ++i)
    if (const auto* v = flat_value(flat[i], key)) by[group[i]].insert(v->dump());
  if (by.size() < 2) return false;
  for (const auto& [g, vs] : by)
    if (vs.size() > 1) return false;
  return true;
}

}  // namespace

bool is_repeat_key(const std::string& k) { return k == "train.seed" || k == "data.dataset" || k == "data.root"; }


std::vector<StudyRun> study_runs(const std::vector<std::string>& configs,
                                 const std::vector<std::optional<results::RunRow>>& rows) {
  std::vector<std::vector<std::pair<std::string, nlohmann::json>>> flat;
  std::vector<nlohmann::json> parsed;
  for (const auto& c : configs) {
    parsed.push_back(nlohmann::json::parse(c));
    flat.push_back(flatten_with_defaults(parsed.back()));
  }
  // Keys whose values differ between configs, in the order of the first config's keys.
  std::map<std::string, std::set<std::string>> values;
  for (const auto& f : flat)
    for (const auto& [k, v] : f) values[k].insert(v.dump());
  auto text_of = [&](size_t i, const char* key, const std::string& otherwise) {
    const auto* v = flat_value(flat[i], key);
    return v && v->is_string() ? v->get<std::string>() : otherwise;
  };
  // A key that is constant within each dataset and differs only between datasets is the
  // dataset's shape (shapes runs have 3 channels and longer contexts), not a variant: the
  // objective study over two datasets averages one variant over both. Likewise a model.* key that
  // follows the architecture (a backbone sweep sets each backbone's width and depth to match
  // parameter counts): the architecture names the variant, the shape is its own.
  std::vector<std::string> dataset, architecture;
  for (size_t i = 0; i < flat.size(); ++i) {
    const auto* d = flat_value(flat[i], "data.dataset");
    dataset.push_back(d ? d->dump() : "");
    architecture.push_back(text_of(i, kBackboneKey, "mmdit") + "/" + text_of(i, kConditioningKey, "adaln_zero"));
  }
  auto is_variant_key = [&](const std::string& k) {
    if (is_repeat_key(k) || values[k].size() < 2 || bound_to(flat, k, dataset)) return false;
    const bool architecture_key = k == kBackboneKey || k == kConditioningKey;
    return architecture_key || k.rfind("model.", 0) != 0 || !bound_to(flat, k, architecture);
  };
  std::vector<std::string> varied;
  if (!flat.empty())
    for (const auto& [k, v] : flat.front())
      if (is_variant_key(k)) varied.push_back(k);
  for (const auto& [k, vs] : values)  // keys absent from the first config
    if (is_variant_key(k) && std::find(varied.begin(), varied.end(), k) == varied.end()) varied.push_back(k);

  std::vector<StudyRun> out;
  for (size_t i = 0; i < configs.size(); ++i) {
    StudyRun r;
    const auto& cfg = parsed[i];
    r.config_hash = results::config_hash(cfg);
    r.backbone = text_of(i, kBackboneKey, r.backbone);
    r.conditioning = text_of(i, kConditioningKey, r.conditioning);
    std::string label;
    bool architecture_named = false;
    for (const auto& k : varied) {
      std::string part;
      if (k == kBackboneKey || k == kConditioningKey) {
        if (architecture_named) continue;
        architecture_named = true;
        part = results::architecture_name(r.backbone, r.conditioning);
      } else {
        const auto* v = flat_value(flat[i], k);
        part = k == "formulation" ? (v ? value_text(*v) : "-") : k + "=" + (v ? value_text(*v) : "-");
      }
      label += (label.empty() ? "" : " ") + part;
    }
    r.variant = label.empty() ? r.config_hash.substr(0, 12) : label;
    // Complete configs hold every schema key; an older one may lack a key added since.
    auto get = [&](const char* key) -> const nlohmann::json* {
      try {
        return &results::config_at(cfg, key);
      } catch (const std::exception&) {
        return nullptr;
      }
    };
    if (const auto* s = get("train.seed")) r.seed = s->get<int64_t>();
    if (const auto* d = get("data.dataset")) r.dataset = d->get<std::string>();
    if (const auto* d = get("model.depth")) r.depth = d->get<int>();
    const auto* w = get("model.width");
    r.width = w && w->get<int64_t>() > 0 ? w->get<int64_t>() : 64 * static_cast<int64_t>(r.depth);
    if (const auto* b = get("train.batch_size")) r.batch_size = b->get<int64_t>();
    if (i < rows.size()) r.row = rows[i];
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<StudyRun> study_runs_of_database(const results::Store& store) {
  std::vector<std::string> configs;
  std::vector<std::optional<results::RunRow>> rows;
  for (const auto& r : store.runs()) {
    if (!r.record.code_version.empty()) continue;  // a canary's run: the regression history reads it
    configs.push_back(r.record.config_json);
    rows.push_back(r);
  }
  return study_runs(configs, rows);
}

std::vector<std::string> variants_of(const std::vector<StudyRun>& runs) {
  std::vector<std::string> out;
  for (const auto& r : runs)
    if (std::find(out.begin(), out.end(), r.variant) == out.end()) out.push_back(r.variant);
  return out;
}

}  // namespace rflab::reports
