// Where each run of a sweep stands: read from the results database and the run's out dir, never
// written. A run is done, diverged or failed by its stored status; otherwise it would resume when
// its out dir holds a checkpoint and run fresh when not.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "results/store.h"
#include "sweeps/expand.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {

enum class PlanState { done, fresh, resume, failed, diverged };
std::string to_string(PlanState s);

struct PlannedRun {
  sweeps::RunSpec spec;
  std::string out_dir;                 // <out_root>/<first 12 hex digits of the hash>
  PlanState state = PlanState::fresh;
  std::optional<results::RunRow> row;  // absent until the run is registered
};

struct SweepPlan {
  sweeps::SweepFile sweep;
  std::vector<PlannedRun> runs;  // expansion order
  size_t count(PlanState s) const;
};

constexpr size_t kHashPrefix = 12;
inline constexpr const char* kDefaultOutRoot = "runs";
// Evaluator networks, reference features and conditioner mini-CLIPs, unless --cache is given.
inline constexpr const char* kDefaultCache = "cache";
// The one rule for where a run's checkpoints and samples go: OUT_ROOT/<first 12 hex digits of
// its config hash>.
std::string run_out_dir(const std::string& out_root, const std::string& config_hash);
std::string checkpoint_file(const std::string& out_dir);

// Reads `db_path` only if it exists (a plan must not create a database).
SweepPlan plan_sweep(const sweeps::SweepFile& sweep, const std::string& db_path,
                     const std::string& out_root);

// The run to train: failed runs are retried (resuming from their checkpoint) unless
// skip_failed; done and diverged runs never are, a diverged run would diverge again.
bool should_run(PlanState s, bool skip_failed);

// The latest step with a stored train/loss row, 0 when none.
int64_t last_logged_step(const results::Store& store, int64_t run_id);

}  // namespace rflab::experiments
