#include "results/evaluation_plan.h"

#include <fmt/format.h>

#include <set>
#include <sstream>

#include "results/error.h"

namespace rflab::results {
namespace {

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

const ControlSetting* find_setting(const std::string& name) { return find_control_setting(name); }

ControlSetting parse_setting(const nlohmann::json& j, const std::string& file, const std::string& path) {
  if (j.is_string()) {
    const auto* s = find_setting(j.get<std::string>());
    if (!s) throw_input_error(file, path, "one of S1..S6 or {\"name\", \"steps\", \"cfg\"}", j.dump());
    return *s;
  }
  if (!j.is_object()) throw_input_error(file, path, "a setting name or {\"name\", \"steps\", \"cfg\"}", j.dump());
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "name" && it.key() != "steps" && it.key() != "cfg")
      throw_input_error(file, path + "." + it.key(), "one of name, steps, cfg", "an unknown key");
  ControlSetting s;
  if (!j.contains("name") || !j.at("name").is_string() || j.at("name").get<std::string>().empty())
    throw_input_error(file, path + ".name", "a non-empty string", j.contains("name") ? j.at("name").dump() : "nothing");
  s.name = j.at("name").get<std::string>();
  if (!results::is_sampler_setting(s.name))
    throw_input_error(file, path + ".name",
                      std::string("a name other than the reserved '") + results::kRealSetting + "' and '" +
                          results::kValSetting + "'",
                      s.name);
  if (!j.contains("steps") || !j.at("steps").is_number_integer() || j.at("steps").get<int64_t>() < 1)
    throw_input_error(file, path + ".steps", "an integer >= 1", j.contains("steps") ? j.at("steps").dump() : "nothing");
  s.steps = j.at("steps").get<int64_t>();
  if (!j.contains("cfg") || !j.at("cfg").is_number() || j.at("cfg").get<double>() < 0)
    throw_input_error(file, path + ".cfg", "a number >= 0", j.contains("cfg") ? j.at("cfg").dump() : "nothing");
  s.cfg = j.at("cfg").get<double>();
  return s;
}

}  // namespace

std::vector<ControlSetting> control_settings_named(const std::string& list, const std::string& field) {
  std::vector<ControlSetting> out;
  std::set<std::string> seen;
  for (const auto& name : split_list(list)) {
    const auto* s = find_setting(name);
    if (!s) throw_input_error("", field, "a comma-separated list of S1..S6", name);
    if (!seen.insert(name).second) throw_input_error("", field, "each setting once", name + " twice");
    out.push_back(*s);
  }
  if (out.empty()) throw_input_error("", field, "at least one of S1..S6", "'" + list + "'");
  return out;
}

std::vector<std::string> parse_weights_list(const std::string& list, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& w : split_list(list)) {
    if (w != "ema" && w != "raw") throw_input_error("", field, "ema, raw or ema,raw", w);
    for (const auto& o : out)
      if (o == w) throw_input_error("", field, "each of ema, raw once", w + " twice");
    out.push_back(w);
  }
  if (out.empty()) throw_input_error("", field, "ema, raw or ema,raw", "'" + list + "'");
  return out;
}

EvaluationPlan parse_evaluation_plan(const nlohmann::json& e, const std::string& file) {
  EvaluationPlan plan;
  if (e.is_null()) return plan;
  if (!e.is_object()) throw_input_error(file, "evaluation", "a JSON object", e.type_name());
  for (auto it = e.begin(); it != e.end(); ++it) {
    const std::string& k = it.key();
    if (k == "metrics")
      throw_input_error(file, "evaluation.metrics",
                        "no metrics list (every evaluation computes all metrics of both feature spaces; "
                        "choose the ranked ones with rflab rank --fid / --clip)",
                        "a list");
    if (k != "checkpoint" && k != "weights" && k != "settings" && k != "samples")
      throw_input_error(file, "evaluation." + k, "one of checkpoint, weights, settings, samples", "an unknown key");
  }
  if (e.contains("checkpoint") && e.at("checkpoint") != "min_native_ema_validation_loss")
    throw_input_error(file, "evaluation.checkpoint", "\"min_native_ema_validation_loss\" (SPEC §5.2)",
                      e.at("checkpoint").dump());
  if (e.contains("weights")) {
    const auto& w = e.at("weights");
    if (!w.is_array() || w.empty()) throw_input_error(file, "evaluation.weights", "a non-empty array of \"ema\"/\"raw\"", w.dump());
    plan.weights.clear();
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string path = fmt::format("evaluation.weights[{}]", i);
      if (!w[i].is_string() || (w[i] != "ema" && w[i] != "raw")) throw_input_error(file, path, "\"ema\" or \"raw\"", w[i].dump());
      for (const auto& o : plan.weights)
        if (o == w[i].get<std::string>()) throw_input_error(file, path, "each weights kind once", w[i].dump() + " again");
      plan.weights.push_back(w[i].get<std::string>());
    }
  }
  if (e.contains("settings")) {
    const auto& s = e.at("settings");
    if (!s.is_array() || s.empty()) throw_input_error(file, "evaluation.settings", "a non-empty array of settings", s.dump());
    plan.settings.clear();
    std::set<std::string> names;
    for (size_t i = 0; i < s.size(); ++i) {
      const std::string path = fmt::format("evaluation.settings[{}]", i);
      auto setting = parse_setting(s[i], file, path);
      if (!names.insert(setting.name).second) throw_input_error(file, path + ".name", "a unique name", setting.name + " again");
      plan.settings.push_back(setting);
    }
  }
  if (e.contains("samples")) {
    const auto& n = e.at("samples");
    if (!n.is_number_integer() || n.get<int64_t>() < 10)
      throw_input_error(file, "evaluation.samples", "an integer >= 10 (one sample per class at least)", n.dump());
    plan.samples = n.get<int64_t>();
  }
  return plan;
}

}  // namespace rflab::results
