// Reading a run config from the command line: a JSON file (--config), then --set overrides,
// then the schema's validation and defaults.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/run_config.h"

namespace rflab::experiments {

class Args;

// Reads and parses a JSON file; UserError naming the file and the parse position.
nlohmann::json read_json_file(const std::string& path);

// --config FILE (optional), then --set key=value ..., then `extra_sets` (a command's own flags,
// such as train --device); returns the parsed and validated run config.
results::RunConfig config_from_args(Args& args, const std::vector<std::string>& extra_sets = {});

}  // namespace rflab::experiments
