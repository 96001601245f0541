// The run config: every knob of a run in one JSON object with dotted keys grouped by part
// (model.depth, train.lr, ...). The schema gives each key a type, a default and a range;
// complete_config() validates and fills defaults, canonical_json() is the one serialisation,
// and its SHA-256 is the run's identity.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rflab::results {

enum class ValueType { integer, number, boolean, string };

struct ConfigKey {
  std::string key;  // dotted path, e.g. "model.depth"
  ValueType type;
  nlohmann::json default_value;
  double min = -1e300;  // inclusive bounds for integer and number keys
  double max = 1e300;
  std::vector<std::string> choices;  // allowed strings, empty = any
  std::string help;
};

const std::vector<ConfigKey>& config_schema();

// Validates `partial` (nested objects or dotted keys) against the schema and returns the full,
// nested config with every default filled. `source` names the file or flag in errors.
nlohmann::json complete_config(const nlohmann::json& partial, const std::string& source);

// Applies `key=value` (a --set flag); the value is parsed by the key's type.
void apply_set(nlohmann::json& config, const std::string& assignment);

// The dotted leaf keys of a (possibly nested) config object, with their values.
std::vector<std::pair<std::string, nlohmann::json>> flatten_config(const nlohmann::json& config);

// The schema key a misspelt key most likely meant (for "did you mean"), or "".
std::string nearest_config_key(const std::string& key);

// Reads a dotted key from a nested config.
const nlohmann::json& config_at(const nlohmann::json& config, const std::string& dotted_key);

std::string canonical_json(const nlohmann::json& config);
std::string config_hash(const nlohmann::json& config);  // sha256 hex of canonical_json

}  // namespace rflab::results
