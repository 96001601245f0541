#include "sweeps/slurm_resources.h"

#include <fmt/format.h>

#include <regex>

#include "results/error.h"

namespace rflab::sweeps {

namespace {

std::string string_field(const nlohmann::json& r, const std::string& key, const std::string& file,
                         const std::regex& shape, const std::string& expected) {
  if (!r.contains(key)) return "";
  const auto& v = r.at(key);
  if (!v.is_string() || !std::regex_match(v.get<std::string>(), shape))
    throw_input_error(file, "resources." + key, expected, v.dump());
  return v.get<std::string>();
}

int int_field(const nlohmann::json& r, const std::string& key, const std::string& file, int min) {
  if (!r.contains(key)) return 0;
  const auto& v = r.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > 100000)
    throw_input_error(file, "resources." + key, fmt::format("an integer in [{}, 100000]", min), v.dump());
  return v.get<int>();
}

}  // namespace

SlurmResources slurm_resources(const nlohmann::json& r, const std::string& file) {
  SlurmResources out;
  if (r.is_null()) return out;
  if (!r.is_object()) throw_input_error(file, "resources", "an object", r.dump());
  for (auto it = r.begin(); it != r.end(); ++it)
    if (it.key() != "partition" && it.key() != "time" && it.key() != "cpus" && it.key() != "mem" &&
        it.key() != "max_parallel" && it.key() != "gpus")
      throw_input_error(file, "resources." + it.key(), "one of partition, time, cpus, mem, max_parallel, gpus",
                        "an unknown key");
  // Shapes sbatch accepts; also keeps shell metacharacters out of the script.
  out.partition = string_field(r, "partition", file, std::regex("[A-Za-z0-9_.,-]+"), "a partition name");
  out.time = string_field(r, "time", file, std::regex("[0-9]+(-[0-9]+)?(:[0-9]+){0,2}"),
                          "a Slurm time such as \"02:00:00\", \"90\" or \"1-12:00:00\"");
  out.mem = string_field(r, "mem", file, std::regex("[0-9]+[KMGT]?"), "a Slurm memory size such as \"8G\"");
  const int cpus = int_field(r, "cpus", file, 1);
  out.cpus = cpus > 0 ? cpus : 1;
  out.max_parallel = int_field(r, "max_parallel", file, 1);
  out.gpus = int_field(r, "gpus", file, 0);
  return out;
}

}  // namespace rflab::sweeps
