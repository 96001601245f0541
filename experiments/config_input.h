// Reading a run config from the command line: a JSON file (--config), then --set overrides,
// then the schema's validation and defaults.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rflab::experiments {

class Args;

// Reads and parses a JSON file; UserError naming the file and the parse position.
nlohmann::json read_json_file(const std::string& path);

// --config FILE (optional) and --set key=value ...; returns the completed config.
nlohmann::json config_from_args(Args& args);

}  // namespace rflab::experiments
