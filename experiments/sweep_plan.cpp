#include "experiments/sweep_plan.h"

#include <filesystem>
#include <memory>

namespace rflab::experiments {

std::string to_string(PlanState s) {
  switch (s) {
    case PlanState::done: return "done";
    case PlanState::fresh: return "fresh";
    case PlanState::resume: return "resume";
    case PlanState::failed: return "failed";
    case PlanState::diverged: return "diverged";
  }
  throw std::logic_error("to_string: PlanState out of range");
}

size_t SweepPlan::count(PlanState s) const {
  size_t n = 0;
  for (const auto& r : runs) n += r.state == s;
  return n;
}

std::string run_out_dir(const std::string& out_root, const std::string& config_hash) {
  return (std::filesystem::path(out_root) / config_hash.substr(0, kHashPrefix)).string();
}

std::string checkpoint_file(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "checkpoint.safetensors").string();
}

SweepPlan plan_sweep(const sweeps::SweepFile& sweep, const std::string& db_path,
                     const std::string& out_root) {
  SweepPlan plan{sweep, {}};
  std::unique_ptr<results::Store> store;
  if (std::filesystem::exists(db_path)) store = std::make_unique<results::Store>(db_path);
  for (auto& spec : sweeps::expand(sweep)) {
    PlannedRun p;
    p.out_dir = run_out_dir(out_root, spec.config_hash);
    if (store) p.row = store->find_run(spec.config_hash);
    const bool checkpoint = std::filesystem::exists(checkpoint_file(p.out_dir));
    using results::RunStatus;
    const RunStatus status = p.row ? p.row->status : RunStatus::pending;
    if (status == RunStatus::done)
      p.state = PlanState::done;
    else if (status == RunStatus::diverged)
      p.state = PlanState::diverged;
    else if (status == RunStatus::failed)
      p.state = PlanState::failed;
    else
      p.state = checkpoint ? PlanState::resume : PlanState::fresh;
    p.spec = std::move(spec);
    plan.runs.push_back(std::move(p));
  }
  return plan;
}

bool should_run(PlanState s, bool skip_failed) {
  return s == PlanState::fresh || s == PlanState::resume || (s == PlanState::failed && !skip_failed);
}

int64_t last_logged_step(const results::Store& store, int64_t run_id) {
  auto rows = store.metrics(run_id, "train/loss");
  return rows.empty() ? 0 : rows.back().step;
}

}  // namespace rflab::experiments
