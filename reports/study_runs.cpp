#include "reports/study_runs.h"

#include <algorithm>
#include <map>
#include <set>

#include "results/run_config.h"

namespace rflab::reports {
namespace {

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

bool is_repeat_key(const std::string& k) { return k == "train.seed" || k == "data.dataset" || k == "data.root"; }

std::vector<StudyRun> study_runs(const std::vector<std::string>& configs,
                                 const std::vector<std::optional<results::RunRow>>& rows) {
  std::vector<std::vector<std::pair<std::string, nlohmann::json>>> flat;
  std::vector<nlohmann::json> parsed;
  for (const auto& c : configs) {
    parsed.push_back(nlohmann::json::parse(c));
    flat.push_back(results::flatten_config(parsed.back()));
  }
  // Keys whose values differ between configs, in the order of the first config's keys.
  std::map<std::string, std::set<std::string>> values;
  for (const auto& f : flat)
    for (const auto& [k, v] : f) values[k].insert(v.dump());
  // A key that is constant within each dataset and differs only between datasets is the
  // dataset's shape (shapes runs have 3 channels and longer contexts), not a variant: the
  // objective study over two datasets averages one variant over both.
  std::map<std::string, std::map<std::string, std::set<std::string>>> per_dataset;  // key -> dataset -> values
  for (const auto& f : flat) {
    std::string dataset;
    for (const auto& [k, v] : f)
      if (k == "data.dataset") dataset = v.dump();
    for (const auto& [k, v] : f) per_dataset[k][dataset].insert(v.dump());
  }
  auto dataset_bound = [&](const std::string& k) {
    const auto& by = per_dataset[k];
    if (by.size() < 2) return false;
    for (const auto& [d, vs] : by)
      if (vs.size() > 1) return false;
    return true;
  };
  auto is_variant_key = [&](const std::string& k) {
    return !is_repeat_key(k) && values[k].size() > 1 && !dataset_bound(k);
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
    std::string label;
    for (const auto& k : varied) {
      std::string v = "-";
      for (const auto& [fk, fv] : flat[i])
        if (fk == k) v = value_text(fv);
      label += (label.empty() ? "" : " ") + (k == "formulation" ? v : k + "=" + v);
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
