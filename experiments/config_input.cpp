#include "experiments/config_input.h"

#include <fstream>
#include <sstream>

#include "experiments/command.h"
#include "results/error.h"
#include "results/run_config.h"

namespace rflab::experiments {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(path + ": cannot open the file (does it exist?)");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError(path + ": invalid JSON: " + e.what());
  }
}

results::RunConfig config_from_args(Args& args, const std::vector<std::string>& extra_sets) {
  nlohmann::json partial = nlohmann::json::object();
  std::string source = "(defaults)";
  if (auto file = args.get("config")) {
    partial = read_json_file(*file);
    source = *file;
  }
  auto config = results::complete_config(partial, source);
  for (const auto& s : args.get_all("set")) results::apply_set(config, s);
  for (const auto& s : extra_sets) results::apply_set(config, s);
  return results::RunConfig::parse(config, source);
}

}  // namespace rflab::experiments
