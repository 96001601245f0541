// The sbatch array script of `rflab sweep slurm`: one array task per pending run, the task id
// being the run's expansion index, each task writing its own SQLite shard (SQLite must not be
// shared over NFS) that `rflab results merge` later folds into the main database.
#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweeps/slurm_resources.h"

namespace rflab::experiments {

using sweeps::SlurmResources;

struct SlurmJob {
  std::string job_name;
  std::string exe;         // absolute path of rflab
  std::string sweep_file;  // absolute
  std::string workdir;     // absolute; the tasks run here
  std::string shard_dir;   // absolute; run-<index>.db and the Slurm logs
  std::string out_root;    // absolute; run out dirs
  std::vector<size_t> indices;  // expansion indices of the pending runs, non-empty
  SlurmResources resources;
};

std::string sbatch_script(const SlurmJob& job);

// "0-3,7,9-10".
std::string array_ranges(const std::vector<size_t>& sorted_indices);

}  // namespace rflab::experiments
