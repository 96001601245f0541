// The sweep file's "resources" object, what `rflab sweep slurm` asks sbatch for:
// {"partition": "cpu", "time": "02:00:00", "cpus": 4, "mem": "8G", "max_parallel": 10, "gpus": 1}; every
// key optional, unknown keys rejected, values in the shapes sbatch accepts (which also keeps
// shell metacharacters out of the script). Parsed with the rest of the sweep file.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace rflab::sweeps {

struct SlurmResources {
  std::string partition, time, mem;
  int cpus = 1;
  int max_parallel = 0;  // array throttle (%N); 0 = none
  int gpus = 0;          // GPUs per array task (--gres=gpu:N); 0 = none
};

// null gives the defaults; UserError naming `file` and resources.KEY.
SlurmResources slurm_resources(const nlohmann::json& resources, const std::string& file);

}  // namespace rflab::sweeps
