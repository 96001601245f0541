#include "sweeps/sweep_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "results/error.h"
#include "results/formulation_name.h"
#include "results/run_config.h"
#include "results/sha256.h"
#include "sweeps/matched_parameters.h"

namespace rflab::sweeps {

using nlohmann::json;

namespace {

std::string describe(const json& v) {
  if (v.is_null()) return "null";
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return std::string(v.type_name()) + " " + s;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string key_path(const std::string& parent, const std::string& key) {
  return parent + "[\"" + key + "\"]";
}

bool is_schema_key(const std::string& key) {
  for (const auto& k : results::config_schema())
    if (k.key == key) return true;
  return false;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  // The sweep's base (flat, validated): what matched_parameters sizes the variants against.
  json base_ = json::object();

  [[noreturn]] void fail(const std::string& path, const std::string& expected,
                         const std::string& got) const {
    throw_input_error(file_, path, expected, got);
  }

  [[noreturn]] void unknown_key(const std::string& path, const std::string& key) const {
    results::throw_unknown_config_key(file_, path, key);
  }

  void only_keys(const json& obj, const std::string& path, const std::vector<std::string>& allowed) const {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        fail(path.empty() ? it.key() : path + "." + it.key(), "one of the keys " + join(allowed),
             "an unknown key");
  }

  // Checks one config value as the run config schema would, and returns it normalised
  // (numbers typed by the schema, formulation names canonical) so equal runs hash equally.
  // `schema_path` prefixes the schema's own "KEY: expected" message; it defaults to `path`.
  json value(const std::string& key, const json& v, const std::string& path,
             const std::string& schema_path = "") const {
    if (!is_schema_key(key)) unknown_key(path, key);
    if (v.is_object() || v.is_array()) fail(path, "a single value for " + key, describe(v));
    json checked = v;
    if (key == "formulation" && v.is_string()) {
      try {
        checked = results::canonical_formulation_name(v.get<std::string>());
      } catch (const results::FormulationNameError& e) {
        fail(path, e.expected, describe(v));  // this file and JSON path instead of "formulation"
      }
    }
    const json full = results::complete_config(json{{key, checked}},
                                               file_ + ": " + (schema_path.empty() ? path : schema_path));
    return results::config_at(full, key);
  }

  std::vector<json> value_list(const std::string& key, const json& list, const std::string& path) const {
    if (!list.is_array() || list.empty()) fail(path, "a non-empty array of values for " + key, describe(list));
    std::vector<json> out;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      json v = value(key, list[i], p);
      for (size_t k = 0; k < out.size(); ++k)
        if (out[k] == v)
          fail(p, "distinct values", describe(v) + ", the same as " + path + "[" + std::to_string(k) + "]");
      out.push_back(std::move(v));
    }
    return out;
  }

  json base(const json& b) const {
    if (b.is_null()) return json::object();
    if (!b.is_object()) fail("base", "an object of config keys", describe(b));
    const auto given = results::flatten_config(b);
    json flat = json::object();
    for (const auto& [key, v] : given) {
      if (flat.contains(key)) fail("base." + key, "the key once", "it twice");
      flat[key] = value(key, v, "base." + key, "base");
    }
    return flat;
  }

  Axis axis(const json& a, const std::string& path) const {
    if (!a.is_object()) fail(path, "an axis object with values, grid, zip or generator", describe(a));
    const int forms = int(a.contains("values")) + int(a.contains("grid")) + int(a.contains("zip")) +
                      int(a.contains("generator"));
    if (forms != 1)
      fail(path, "exactly one of values, grid, zip, generator",
           forms == 0 ? "none" : std::to_string(forms) + " of them");
    Axis axis;
    axis.path = path;
    if (a.contains("values")) {
      only_keys(a, path, {"key", "values"});
      if (!a.contains("key") || !a["key"].is_string())
        fail(path + ".key", "the config key this axis varies, as a string",
             a.contains("key") ? describe(a["key"]) : "nothing");
      const std::string key = a["key"];
      if (!is_schema_key(key)) unknown_key(path + ".key", key);
      axis.kind = "values";
      axis.keys = {key};
      for (auto& v : value_list(key, a["values"], path + ".values")) axis.points.push_back({{key, v}});
    } else if (a.contains("grid")) {
      only_keys(a, path, {"grid"});
      axis.kind = "grid";
      const auto lists = keyed_lists(a["grid"], path + ".grid");
      axis.points = {Assignment{}};
      for (const auto& [key, values] : lists) {
        axis.keys.push_back(key);
        std::vector<Assignment> next;
        for (const auto& point : axis.points)
          for (const auto& v : values) {
            Assignment p = point;
            p.emplace_back(key, v);
            next.push_back(std::move(p));
          }
        axis.points = std::move(next);
      }
    } else if (a.contains("zip")) {
      only_keys(a, path, {"zip"});
      axis.kind = "zip";
      const auto lists = keyed_lists(a["zip"], path + ".zip");
      const auto& [first_key, first] = lists.front();
      for (const auto& [key, values] : lists) {
        if (values.size() != first.size())
          fail(key_path(path + ".zip", key),
               std::to_string(first.size()) + " values, as many as \"" + first_key + "\"",
               std::to_string(values.size()));
        axis.keys.push_back(key);
      }
      for (size_t i = 0; i < first.size(); ++i) {
        Assignment p;
        for (const auto& [key, values] : lists) p.emplace_back(key, values[i]);
        axis.points.push_back(std::move(p));
      }
    } else {
      generator(a, path, axis);
    }
    return axis;
  }

  std::vector<int64_t> seeds(const json& s) const {
    std::vector<int64_t> out;
    if (s.is_null()) return out;
    if (s.is_object()) {
      only_keys(s, "seeds", {"start", "count"});
      const json start = s.value("start", json(0));
      const json count = s.contains("count") ? s["count"] : json();
      if (!count.is_number_integer() || count.get<int64_t>() < 1 || count.get<int64_t>() > 100000)
        fail("seeds.count", "an integer in [1, 100000]", describe(count));
      const int64_t first = value("train.seed", start, "seeds.start").get<int64_t>();
      for (int64_t i = 0; i < count.get<int64_t>(); ++i)
        out.push_back(value("train.seed", first + i, "seeds.count").get<int64_t>());
      return out;
    }
    if (!s.is_array()) fail("seeds", "an array of seeds or {\"start\": s, \"count\": n}", describe(s));
    for (const auto& v : value_list("train.seed", s, "seeds")) out.push_back(v.get<int64_t>());
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<json>>> keyed_lists(const json& obj,
                                                                      const std::string& path) const {
    if (!obj.is_object() || obj.empty())
      fail(path, "a non-empty object mapping config keys to arrays of values", describe(obj));
    std::vector<std::pair<std::string, std::vector<json>>> out;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!is_schema_key(it.key())) unknown_key(key_path(path, it.key()), it.key());
      out.emplace_back(it.key(), value_list(it.key(), *it, key_path(path, it.key())));
    }
    return out;
  }

  void generator(const json& a, const std::string& path, Axis& axis) const {
    const json& g = a["generator"];
    const std::string name = g.is_string() ? g.get<std::string>() : "";
    if (name == "paper61") {
      only_keys(a, path, {"generator"});
      axis.kind = "paper61";
      axis.keys = {"formulation"};
      for (const auto& n : results::paper61_names()) axis.points.push_back({{"formulation", json(n)}});
    } else if (name == "depth_ladder") {
      only_keys(a, path, {"generator", "depths", "preset"});
      if (a.contains("depths") == a.contains("preset"))
        fail(path, "exactly one of depths, preset", a.contains("depths") ? "both" : "neither");
      json depths = a.contains("depths") ? a["depths"] : json();
      if (a.contains("preset")) {
        const json& p = a["preset"];
        try {
          depths = depth_ladder_preset(p.is_string() ? p.get<std::string>() : "");
        } catch (const std::invalid_argument&) {
          fail(path + ".preset", "\"cpu\" or \"paper\"", describe(p));
        }
      }
      axis.kind = "depth_ladder";
      axis.keys = {"model.depth"};
      for (auto& v : value_list("model.depth", depths, path + (a.contains("depths") ? ".depths" : ".preset")))
        axis.points.push_back({{"model.depth", v}});
    } else if (name == "matched_parameters") {
      matched_parameters(a, path, axis);
    } else {
      fail(path + ".generator", "\"paper61\", \"depth_ladder\" or \"matched_parameters\"", describe(g));
    }
  }

  void matched_parameters(const json& a, const std::string& path, Axis& axis) const {
    only_keys(a, path, {"generator", "variants", "parameters", "adjust"});
    const json adjust_value = a.contains("adjust") ? a["adjust"] : json("width");
    const std::string adjust = adjust_value.is_string() ? adjust_value.get<std::string>() : "";
    if (adjust != "width" && adjust != "depth") fail(path + ".adjust", "\"width\" or \"depth\"", describe(adjust_value));
    const json& variants = a.contains("variants") ? a["variants"] : json();
    if (!variants.is_array() || variants.empty())
      fail(path + ".variants", "a non-empty array of objects of config keys", describe(variants));
    std::vector<Assignment> points;
    std::set<std::string> keys;
    for (size_t i = 0; i < variants.size(); ++i) {
      const std::string vp = path + ".variants[" + std::to_string(i) + "]";
      if (!variants[i].is_object() || variants[i].empty()) fail(vp, "a non-empty object of config keys", describe(variants[i]));
      Assignment point;
      for (const auto& [key, v] : results::flatten_config(variants[i])) {
        if (key == "model.width" || key == "model.depth" || key == "model.heads")
          fail(key_path(vp, key), "a key other than the size this generator sets", key);
        point.emplace_back(key, value(key, v, key_path(vp, key)));
        keys.insert(key);
      }
      for (size_t k = 0; k < points.size(); ++k)
        if (points[k] == point) fail(vp, "distinct variants", "the same as variants[" + std::to_string(k) + "]");
      points.push_back(std::move(point));
    }
    const json& t = a.contains("parameters") ? a["parameters"] : json("base");
    int64_t target = 0;
    if (t == json("base")) {
      target = parameters_of(base_, file_ + ": base");
    } else if (t.is_number_integer() && t.get<int64_t>() >= 1) {
      target = t.get<int64_t>();
    } else {
      fail(path + ".parameters", "\"base\" or a parameter count >= 1", describe(t));
    }
    axis.kind = "matched_parameters";
    axis.keys.assign(keys.begin(), keys.end());
    axis.keys.push_back("model.heads");
    axis.keys.push_back(adjust == "width" ? "model.width" : "model.depth");
    axis.points = match_parameters(base_, points, target, adjust, file_, path);
  }


  std::string file_;
};

// Rejects an object that names a key twice, which a JSON parser would silently collapse.
class DuplicateKeyCheck : public nlohmann::json_sax<json> {
 public:
  std::string duplicate_path;
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({true, {}, "", 0, path()});
    return true;
  }
  bool key(string_t& k) override {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(k).second) {
      duplicate_path = path();
      return false;
    }
    return true;
  }
  bool end_object() override { return end(); }
  bool start_array(std::size_t) override {
    frames_.push_back({false, {}, "", 0, path()});
    return true;
  }
  bool end_array() override { return end(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    size_t index;
    std::string prefix;
  };
  std::string path() const {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    if (f.object) return f.prefix.empty() ? f.key : f.prefix + "." + f.key;
    return f.prefix + "[" + std::to_string(f.index) + "]";
  }
  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool end() {
    frames_.pop_back();
    return value();
  }
  std::vector<Frame> frames_;
};

}  // namespace

std::vector<int64_t> depth_ladder_preset(const std::string& name) {
  if (name == "paper") return {15, 18, 24, 30, 38};
  if (name == "cpu") return {2, 3, 4, 6, 8};
  throw std::invalid_argument("depth ladder preset: expected cpu or paper, got '" + name + "'");
}

SweepFile parse_sweep(const json& doc, const std::string& file) {
  Parser p(file);
  if (!doc.is_object()) p.fail("(top level)", "a JSON object", describe(doc));
  p.only_keys(doc, "", {"name", "description", "base", "axes", "seeds", "evaluation", "resources"});
  SweepFile s;
  s.file = file;
  s.name = std::filesystem::path(file).stem().string();
  if (doc.contains("name")) {
    const json& n = doc["name"];
    const std::string name = n.is_string() ? n.get<std::string>() : "";
    const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok) p.fail("name", "a non-empty string of letters, digits, '-', '_' and '.'", describe(n));
    s.name = name;
  }
  if (doc.contains("description")) {
    if (!doc["description"].is_string()) p.fail("description", "a string", describe(doc["description"]));
    s.description = doc["description"];
  }
  s.base = p.base(doc.value("base", json()));
  p.base_ = s.base;

  const json axes = doc.value("axes", json::array());
  if (!axes.is_array()) p.fail("axes", "an array of axis objects", describe(axes));
  std::map<std::string, std::string> owner;  // config key -> axis path that sets it
  for (size_t i = 0; i < axes.size(); ++i) {
    Axis a = p.axis(axes[i], "axes[" + std::to_string(i) + "]");
    for (const auto& key : a.keys) {
      auto [it, fresh] = owner.emplace(key, a.path);
      if (!fresh) p.fail(a.path, "a key no other axis varies", key + ", also varied by " + it->second);
    }
    s.axes.push_back(std::move(a));
  }
  for (const auto& a : s.axes) {
    if (a.kind != "depth_ladder") continue;
    // A ladder is only a ladder under the sizing rule width 64·d, d heads (SPEC §8).
    for (const std::string key : {"model.width", "model.heads"}) {
      if (owner.count(key))
        p.fail(a.path, key + " left to the sizing rule (0)", "it varied by " + owner[key]);
      if (s.base.contains(key) && s.base[key] != json(0))
        p.fail(a.path, key + " left to the sizing rule (0)", "base sets " + s.base[key].dump());
    }
  }

  s.seeds = p.seeds(doc.value("seeds", json()));
  if (!s.seeds.empty() && owner.count("train.seed"))
    p.fail("seeds", "seeds or an axis over train.seed, not both", "both (" + owner["train.seed"] + ")");

  s.evaluation = results::parse_evaluation_plan(doc.value("evaluation", json()), file);
  s.resources = slurm_resources(doc.value("resources", json()), file);
  s.content_hash = results::sha256_hex(doc.dump());
  return s;
}

SweepFile load_sweep(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, "", "a readable sweep file", "a file that cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  json doc;
  try {
    doc = json::parse(bytes);
  } catch (const json::parse_error& e) {
    std::string msg = e.what();
    const auto close = msg.find("] ");
    if (close != std::string::npos) msg = msg.substr(close + 2);
    throw UserError(path + ": invalid JSON: " + msg);
  }
  DuplicateKeyCheck dup;
  json::sax_parse(bytes, &dup);
  if (!dup.duplicate_path.empty()) throw_input_error(path, dup.duplicate_path, "the key once", "it twice");
  return parse_sweep(doc, path);
}

}  // namespace rflab::sweeps
