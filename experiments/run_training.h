// One training run end to end, shared by `rflab train` and the sweep runner: registers the run
// (config hash, provenance) in the results store, trains or resumes it, streams every figure to
// the store, writes the sample grid and records the artifacts. The run's text conditioner is
// loaded from (or trained into) the model cache first. Where the time went (conditioner,
// training, validation, checkpoints, sample grid) is stored as the run's phase timings, also
// when it stops, diverges or fails.
#pragma once
#include <c10/core/Device.h>

#include <nlohmann/json.hpp>
#include <string>

#include "experiments/sweep_plan.h"
#include "results/run_config.h"
#include "results/store.h"

namespace rflab::experiments {

struct RunOptions {
  std::string db_path = results::kDefaultDatabase;
  std::string out_dir;      // empty = runs/<first 12 hex digits of the config hash>
  std::string repo_dir = ".";  // for the git commit and dirty flag
  std::string code_version;    // "" for a run any commit reuses; a canary's commit (results/canary.h)
  std::string cache_dir = kDefaultCache;  // model cache of the conditioner mini-CLIP (as rflab clip train)
  bool write_samples = true;
  bool quiet = false;
  std::string command = "train";  // the command stored with the run's phase timings
};

struct RunOutcome {
  int64_t run_id = 0;
  std::string status;  // done, diverged, failed, stopped
  std::string out_dir;
  std::string samples_png;
  int exit_code = 0;
};

RunOutcome run_training(const results::RunConfig& config, const RunOptions& options);

// What a run cannot start without, checked before anything is written (no run row, no folder,
// no conditioner training): a conditioner that serves its widths, its dataset's files, its
// device. UserError naming the field; returns the device.
c10::Device require_run_inputs(const results::RunConfig& config);

// Installs SIGINT/SIGTERM handlers that ask the running trainer to checkpoint and stop.
void install_stop_handlers();
bool stop_requested();

// Provenance fields known only to the torch side: libtorch version, BLAS, threads, device.
std::string libtorch_version();

}  // namespace rflab::experiments
