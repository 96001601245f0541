#include "experiments/slurm_script.h"

#include <fmt/format.h>

#include <regex>

#include "results/error.h"
#include "results/git.h"

namespace rflab::experiments {

using results::shell_quote;

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
        it.key() != "max_parallel")
      throw_input_error(file, "resources." + it.key(), "one of partition, time, cpus, mem, max_parallel",
                        "an unknown key");
  // Shapes sbatch accepts; also keeps shell metacharacters out of the script.
  out.partition = string_field(r, "partition", file, std::regex("[A-Za-z0-9_.,-]+"), "a partition name");
  out.time = string_field(r, "time", file, std::regex("[0-9]+(-[0-9]+)?(:[0-9]+){0,2}"),
                          "a Slurm time such as \"02:00:00\", \"90\" or \"1-12:00:00\"");
  out.mem = string_field(r, "mem", file, std::regex("[0-9]+[KMGT]?"), "a Slurm memory size such as \"8G\"");
  const int cpus = int_field(r, "cpus", file, 1);
  out.cpus = cpus > 0 ? cpus : 1;
  out.max_parallel = int_field(r, "max_parallel", file, 1);
  return out;
}

std::string array_ranges(const std::vector<size_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += j == i ? std::to_string(v[i]) : fmt::format("{}-{}", v[i], v[j]);
    i = j + 1;
  }
  return out;
}

std::string sbatch_script(const SlurmJob& j) {
  const auto& r = j.resources;
  std::string s = "#!/bin/bash\n";
  s += "# Written by `rflab sweep slurm`: one array task per pending run of sweep " + j.job_name + ".\n";
  s += "# Each task writes its own database shard; afterwards fold them into the main database:\n";
  s += "#   rflab results merge MAIN.db " + j.shard_dir + "/run-*.db\n";
  s += "#SBATCH --job-name=rflab-" + j.job_name + "\n";
  s += "#SBATCH --array=" + array_ranges(j.indices) + (r.max_parallel > 0 ? fmt::format("%{}", r.max_parallel) : "") + "\n";
  s += fmt::format("#SBATCH --cpus-per-task={}\n", r.cpus);
  if (!r.partition.empty()) s += "#SBATCH --partition=" + r.partition + "\n";
  if (!r.time.empty()) s += "#SBATCH --time=" + r.time + "\n";
  if (!r.mem.empty()) s += "#SBATCH --mem=" + r.mem + "\n";
  s += "#SBATCH --chdir=" + j.workdir + "\n";
  s += "#SBATCH --output=" + j.shard_dir + "/slurm-%A_%a.out\n";
  s += "set -euo pipefail\n";
  s += "mkdir -p " + shell_quote(j.shard_dir) + "\n";
  s += fmt::format("exec {} --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" sweep run-one {} \\\n", shell_quote(j.exe),
                   r.cpus, shell_quote(j.sweep_file));
  s += "  --index \"$SLURM_ARRAY_TASK_ID\" \\\n";
  s += "  --db " + shell_quote(j.shard_dir) + "/run-\"$SLURM_ARRAY_TASK_ID\".db \\\n";
  s += "  --out-root " + shell_quote(j.out_root) + "\n";
  return s;
}

}  // namespace rflab::experiments
