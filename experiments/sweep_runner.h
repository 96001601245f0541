// The local process pool of `rflab sweep run`: each pending run of a sweep is trained by a child
// `rflab --threads K sweep run-one FILE --index I` (fork+exec of this binary), at most `jobs` at a
// time, the cores split between them. A crashing child is marked failed with its exit status or
// signal and the tail of its log, and the sweep goes on. SIGINT/SIGTERM are forwarded to the
// children, which checkpoint and stop; the pool waits for them and reports itself stopped.
// The text conditioners the runs need are trained into the model cache before the first child
// starts, so N children never train the same mini-CLIP at once.
#pragma once
#include <cstdint>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep_plan.h"
#include "results/store.h"

namespace rflab::experiments {

struct PoolOptions {
  std::string sweep_path;  // passed on to the workers
  std::string db_path;
  std::string out_root;
  std::string cache_dir = kDefaultCache;  // conditioner mini-CLIPs, passed on to the workers
  int jobs = 1;
  int threads_per_job = 1;
  bool skip_failed = false;
  std::string exe;  // the rflab binary the workers run
  // CUDA devices, one worker on each at a time (CUDA_VISIBLE_DEVICES=<id> in its environment);
  // empty: the workers inherit this process's environment.
  std::vector<std::string> gpus;
  std::optional<int64_t> sweep_id;  // the pool's own phase timings are stored under it
};

struct PoolResult {
  // skipped: not run (diverged, failed with skip_failed, or trained by another process now).
  size_t done = 0, failed = 0, diverged = 0, interrupted = 0, already_done = 0, skipped = 0;
  bool stopped = false;  // a signal ended the pool early
  // 0 when every run is done, 130 when stopped by a signal, 1 when a run failed or diverged.
  int exit_code() const;
};

// Registers the sweep and every run of `specs` with its sweep link (idempotent); returns the
// sweep id.
int64_t register_sweep_runs(results::Store& store, const sweeps::SweepFile& sweep,
                            const std::vector<const sweeps::RunSpec*>& specs,
                            const results::Provenance& provenance);

// The GPUs of `--gpus LIST` ("0,1" or "all" for every id of CUDA_VISIBLE_DEVICES), else, for
// runs on CUDA, the ids CUDA_VISIBLE_DEVICES lists when it lists several; empty otherwise (no
// assignment: one GPU, or none). `cuda_visible_devices` is that variable's value (null: unset).
// UserError naming --gpus for an empty or malformed id, a repeated one, or "all" without the variable.
std::vector<std::string> sweep_gpus(const std::optional<std::string>& flag, const char* cuda_visible_devices,
                                    bool runs_on_cuda);

// A worker's environment: `base` (NAME=VALUE entries) with CUDA_VISIBLE_DEVICES set to `gpu`,
// or `base` unchanged for an empty `gpu`.
std::vector<std::string> worker_environment(const std::vector<std::string>& base, const std::string& gpu);

// CPUs this process may run on (its affinity mask).
int available_cores();

// This executable's path (/proc/self/exe).
std::string self_exe();

// Runs the plan's pending runs; `log` gets the progress bar or lines.
PoolResult run_pool(const SweepPlan& plan, const PoolOptions& options, std::ostream& log);

}  // namespace rflab::experiments
