#include "experiments/slurm_script.h"

#include <fmt/format.h>

#include "results/error.h"
#include "results/git.h"

namespace rflab::experiments {

using results::shell_quote;

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
  if (r.gpus > 0) s += fmt::format("#SBATCH --gres=gpu:{}\n", r.gpus);
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
