// rflab sweep plan|run|run-one|status|slurm: a study as a sweep file, run locally in a process
// pool or as a Slurm array, resumable and recorded in the results store.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <fstream>
#include <iostream>

#include "experiments/command.h"
#include "experiments/progress.h"
#include "experiments/run_training.h"
#include "experiments/slurm_script.h"
#include "experiments/sweep_lock.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"
#include "results/error.h"
#include "results/provenance.h"

namespace rflab::experiments {
namespace {


struct SweepArgs {
  std::string file, db, out_root;
  sweeps::SweepFile sweep;
};

// The sweep file (validated before anything is written) and the flags every subcommand shares.
SweepArgs sweep_args(Args& args) {
  SweepArgs s;
  s.db = args.get_or("db", results::kDefaultDatabase);
  s.out_root = args.get_or("out-root", kDefaultOutRoot);
  return s;
}

void load(SweepArgs& s, Args& args) {
  auto pos = args.positional();
  if (pos.size() != 1) throw UsageError("expected one sweep FILE, got " + std::to_string(pos.size()) + " arguments");
  s.file = pos[0];
  s.sweep = sweeps::load_sweep(s.file);
}

int positive_flag(Args& args, const std::string& flag, int fallback) {
  const int64_t v = args.get_int(flag, fallback);
  if (v < 1 || v > 4096) throw_input_error("", "--" + flag, "an integer in [1, 4096]", std::to_string(v));
  return static_cast<int>(v);
}

results::Provenance parent_provenance(int threads) {
  auto p = results::collect_provenance(".");
  p.libtorch_version = libtorch_version();
  p.threads = threads;
  return p;
}

void print_table(const SweepPlan& plan, const std::vector<std::string>& extra_header,
                 const std::function<std::vector<std::string>(const PlannedRun&)>& extra) {
  std::string head = fmt::format("{:>5}  {:<12}  {:<8}", "#", "hash", "status");
  for (const auto& h : extra_header) head += fmt::format("  {:<12}", h);
  std::cout << head << "  label\n";
  for (const auto& r : plan.runs) {
    std::string line = fmt::format("{:>5}  {:<12}  {:<8}", r.spec.index, r.spec.config_hash.substr(0, kHashPrefix),
                                   to_string(r.state));
    for (const auto& e : extra(r)) line += fmt::format("  {:<12}", e);
    std::cout << line << "  " << r.spec.label() << "\n";
  }
}

int plan_cmd(Args& args) {
  SweepArgs s = sweep_args(args);
  const bool skip_failed = args.has_switch("skip-failed");
  load(s, args);
  args.finish();
  const SweepPlan plan = plan_sweep(s.sweep, s.db, s.out_root);
  size_t to_run = 0;
  for (const auto& r : plan.runs) to_run += should_run(r.state, skip_failed);
  std::cout << fmt::format("sweep {} ({}): {} runs\n", s.sweep.name, s.file, plan.runs.size());
  std::cout << fmt::format("  done {}, fresh {}, resume {}, failed {}, diverged {}\n", plan.count(PlanState::done),
                           plan.count(PlanState::fresh), plan.count(PlanState::resume), plan.count(PlanState::failed),
                           plan.count(PlanState::diverged));
  std::cout << fmt::format("  `rflab sweep run` would run {} ({}); database {}, out dirs under {}\n\n", to_run,
                           skip_failed ? "failed runs skipped" : "failed runs retried from their checkpoint", s.db,
                           s.out_root);
  print_table(plan, {}, [](const PlannedRun&) { return std::vector<std::string>{}; });
  return 0;
}

int run_cmd(Args& args) {
  SweepArgs s = sweep_args(args);
  PoolOptions o;
  o.jobs = positive_flag(args, "jobs", 1);
  o.skip_failed = args.has_switch("skip-failed");
  o.cache_dir = args.get_or("cache", o.cache_dir);
  const auto gpus = args.get("gpus");
  load(s, args);
  args.finish();
  o.sweep_path = std::filesystem::absolute(s.file).string();
  o.db_path = s.db;
  o.out_root = s.out_root;
  o.exe = self_exe();
  o.gpus = sweep_gpus(gpus, std::getenv("CUDA_VISIBLE_DEVICES"), false);  // a bad --gpus stops here
  SweepPlan plan = plan_sweep(s.sweep, s.db, s.out_root);
  if (!gpus) {
    bool on_cuda = false;
    for (const auto& r : plan.runs) on_cuda = on_cuda || r.spec.config.train.device == "cuda";
    o.gpus = sweep_gpus(std::nullopt, std::getenv("CUDA_VISIBLE_DEVICES"), on_cuda);
  }
  if (!o.gpus.empty()) o.jobs = static_cast<int>(o.gpus.size());  // one run per GPU
  o.threads_per_job = std::max(1, available_cores() / o.jobs);
  for (const auto& r : plan.runs)
    if (should_run(r.state, o.skip_failed)) require_run_inputs(r.spec.config);
  {
    results::Store store(s.db);
    std::vector<const sweeps::RunSpec*> specs;
    for (const auto& r : plan.runs) specs.push_back(&r.spec);
    o.sweep_id = register_sweep_runs(store, s.sweep, specs, parent_provenance(o.threads_per_job));
  }
  return run_pool(plan, o, std::cerr).exit_code();
}

int run_one_cmd(Args& args) {
  SweepArgs s = sweep_args(args);
  const auto index = args.get("index");
  const auto hash = args.get("hash");
  const std::string cache_dir = args.get_or("cache", RunOptions{}.cache_dir);
  load(s, args);
  args.finish();
  if (index.has_value() == hash.has_value()) throw UsageError("give exactly one of --index I and --hash PREFIX");
  auto specs = sweeps::expand(s.sweep);
  const sweeps::RunSpec* chosen = nullptr;
  if (index) {
    char* end = nullptr;
    const long long i = std::strtoll(index->c_str(), &end, 10);
    if (index->empty() || *end != '\0' || i < 0 || static_cast<size_t>(i) >= specs.size())
      throw_input_error(s.file, "--index", fmt::format("a run index in [0, {}]", specs.size() - 1), *index);
    chosen = &specs[static_cast<size_t>(i)];
  } else {
    for (const auto& sp : specs)
      if (!hash->empty() && sp.config_hash.rfind(*hash, 0) == 0) {
        if (chosen) throw_input_error(s.file, "--hash", "a prefix of exactly one run's config hash", *hash + " (ambiguous)");
        chosen = &sp;
      }
    if (!chosen) throw_input_error(s.file, "--hash", "a prefix of one run's config hash", *hash);
  }
  RunOptions o;
  o.db_path = s.db;
  o.cache_dir = cache_dir;
  o.out_dir = run_out_dir(s.out_root, chosen->config_hash);
  o.command = "sweep run-one";
  auto lock = RunLock::try_acquire(o.out_dir);
  if (!lock) {
    std::cerr << fmt::format("rflab sweep run-one: run #{} ({}) is being trained by another process (lock {}/run.lock)\n",
                             chosen->index, chosen->config_hash.substr(0, kHashPrefix), o.out_dir);
    return kExitRunBusy;
  }
  {
    results::Store store(s.db);
    register_sweep_runs(store, s.sweep, {chosen}, parent_provenance(0));
  }
  install_stop_handlers();
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  std::cout << fmt::format("sweep {} run #{} {}: {}{}\n", s.sweep.name, chosen->index,
                           chosen->config_hash.substr(0, kHashPrefix), chosen->label(),
                           visible ? fmt::format(" (CUDA_VISIBLE_DEVICES={})", visible) : "");
  return run_training(chosen->config, o).exit_code;
}

int status_cmd(Args& args) {
  SweepArgs s = sweep_args(args);
  const int jobs = positive_flag(args, "jobs", 1);
  load(s, args);
  args.finish();
  const SweepPlan plan = plan_sweep(s.sweep, s.db, s.out_root);
  std::unique_ptr<results::Store> store;
  if (std::filesystem::exists(s.db)) store = std::make_unique<results::Store>(s.db);
  std::map<std::string, size_t> counts;
  double rate_sum = 0;  // mean samples/s over the runs that logged any, for runs without their own
  int rate_n = 0;
  std::vector<double> rates(plan.runs.size(), 0);
  std::vector<int64_t> steps_done(plan.runs.size(), 0);
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const auto& r = plan.runs[i];
    // A stored "running" whose process is gone (killed, node lost) counts as pending.
    std::string st = r.row ? to_string(r.row->status) : "pending";
    if (st == "running" && !run_is_locked(r.out_dir)) st = "pending";
    if (st != "running" && run_is_locked(r.out_dir)) st = "running";
    counts[st]++;
    if (!r.row || !store) continue;
    steps_done[i] = r.row->status == results::RunStatus::done
                        ? r.spec.config.train.steps
                        : last_logged_step(*store, r.row->id);
    auto rows = store->metrics(r.row->id, "train/samples_per_s");
    double sum = 0;
    int n = 0;
    for (const auto& m : rows)
      if (std::isfinite(m.value) && m.value > 0) sum += m.value, ++n;
    if (n > 0) {
      rates[i] = sum / n;
      rate_sum += rates[i];
      ++rate_n;
    }
  }
  double seconds = 0;
  bool known = true;
  int64_t remaining_steps = 0;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const auto& r = plan.runs[i];
    if (r.state == PlanState::done || r.state == PlanState::diverged) continue;
    const auto& train = r.spec.config.train;
    const int64_t left = std::max<int64_t>(0, train.steps - steps_done[i]);
    remaining_steps += left;
    const double rate = rates[i] > 0 ? rates[i] : (rate_n > 0 ? rate_sum / rate_n : 0);
    if (rate <= 0) known = false;
    else seconds += static_cast<double>(left * train.batch_size) / rate;
  }
  std::cout << fmt::format("sweep {} ({}): {} runs: {} done, {} running, {} failed, {} diverged, {} pending\n",
                           s.sweep.name, s.file, plan.runs.size(), counts["done"], counts["running"], counts["failed"],
                           counts["diverged"], counts["pending"]);
  if (remaining_steps == 0)
    std::cout << "  nothing left to train\n\n";
  else if (!known)
    std::cout << fmt::format("  {} steps left; ETA unknown until a run has logged train/samples_per_s\n\n",
                             remaining_steps);
  else
    std::cout << fmt::format("  {} steps left; ETA {} with {} job(s) (from stored train/samples_per_s)\n\n",
                             remaining_steps, format_duration(seconds / jobs), jobs);
  size_t i = 0;
  print_table(plan, {"db status", "steps"}, [&](const PlannedRun& r) {
    const size_t k = i++;
    return std::vector<std::string>{r.row ? to_string(r.row->status) : "-",
                                    fmt::format("{}/{}", steps_done[k], r.spec.config.train.steps)};
  });
  return 0;
}

int slurm_cmd(Args& args) {
  namespace fs = std::filesystem;
  SweepArgs s = sweep_args(args);
  const auto out = args.get("out");
  const auto shard_dir = args.get("shard-dir");
  load(s, args);
  args.finish();
  SlurmJob job;
  job.resources = s.sweep.resources;
  const SweepPlan plan = plan_sweep(s.sweep, s.db, s.out_root);
  for (const auto& r : plan.runs)
    if (should_run(r.state, false)) job.indices.push_back(r.spec.index);
  if (job.indices.empty()) {
    std::cout << fmt::format("sweep {}: no pending runs ({} done, {} diverged); no script written\n", s.sweep.name,
                             plan.count(PlanState::done), plan.count(PlanState::diverged));
    return 0;
  }
  job.job_name = s.sweep.name;
  job.exe = self_exe();
  job.sweep_file = fs::absolute(s.file).lexically_normal().string();
  job.workdir = fs::current_path().string();
  job.shard_dir = fs::absolute(shard_dir.value_or("results/shards/" + s.sweep.name)).lexically_normal().string();
  job.out_root = fs::absolute(s.out_root).lexically_normal().string();
  for (const auto& p : {job.workdir, job.shard_dir})
    if (p.find_first_of(" \t\n'\"$`\\") != std::string::npos)
      throw_input_error("", "--shard-dir / working directory", "a path without spaces or shell metacharacters "
                        "(sbatch cannot quote #SBATCH lines)", p);
  const std::string script_path = out.value_or(s.sweep.name + ".sbatch");
  fs::create_directories(job.shard_dir);
  if (fs::path(script_path).has_parent_path()) fs::create_directories(fs::path(script_path).parent_path());
  {
    std::ofstream f(script_path);
    f << sbatch_script(job);
    if (!f) throw UserError(script_path + ": could not write the sbatch script");
  }
  fs::permissions(script_path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  std::cout << fmt::format("wrote {}: {} array task(s) for sweep {} ({} done, {} diverged left out)\n", script_path,
                           job.indices.size(), s.sweep.name, plan.count(PlanState::done), plan.count(PlanState::diverged));
  std::cout << fmt::format("submit:  sbatch {}\nthen:    rflab results merge {} {}/run-*.db\n", script_path, s.db,
                           job.shard_dir);
  return 0;
}

const char* kCommonFlags =
    "  --db PATH        results database (default results/rflab.db)\n"
    "  --out-root DIR   run out dirs are DIR/<first 12 hex digits of the config hash> (default runs)\n";

RFLAB_COMMAND(Command{"sweep plan", "what a sweep would run: done, fresh, resume, failed, diverged",
                      std::string("usage: rflab sweep plan FILE [--db PATH] [--out-root DIR] [--skip-failed]\n\n"
                                  "Expands the sweep file and shows each run's state without writing anything.\n\n") +
                          kCommonFlags + "  --skip-failed    count failed runs as not to be run",
                      plan_cmd});

RFLAB_COMMAND(Command{"sweep run", "run a sweep's pending runs in a local process pool",
                      std::string("usage: rflab sweep run FILE [--jobs N | --gpus LIST] [--db PATH] [--out-root DIR] [--cache DIR]\n"
                                  "                      [--skip-failed]\n\n"
                                  "Registers the sweep and its runs, then trains every run that is not done in N child\n"
                                  "processes (the cores are split between them), resuming interrupted runs from their\n"
                                  "checkpoint. The runs' conditioner mini-CLIPs are trained into the model cache first.\n"
                                  "A crashing run is marked failed and the sweep goes on. SIGINT/SIGTERM\n"
                                  "make every worker checkpoint and stop; run the command again to resume.\n"
                                  "Exit status: 0 all done, 1 a run failed or diverged, 130 stopped by a signal.\n\n") +
                          kCommonFlags +
                          "  --jobs N         concurrent runs (default 1)\n"
                          "  --gpus LIST      one run per GPU at a time: ids as CUDA_VISIBLE_DEVICES takes them (0,1,3),\n"
                          "                   or 'all' for every GPU CUDA_VISIBLE_DEVICES lists; each worker sees only\n"
                          "                   its own GPU. Without it, runs on cuda use one run per GPU when\n"
                          "                   CUDA_VISIBLE_DEVICES lists several\n"
                          "  --cache DIR      model cache of the conditioner mini-CLIPs (default cache)\n"
                          "  --skip-failed    leave failed runs alone instead of retrying them",
                      run_cmd});

RFLAB_COMMAND(Command{"sweep run-one", "train one run of a sweep (used by the pool and by Slurm tasks)",
                      std::string("usage: rflab sweep run-one FILE (--index I | --hash PREFIX) [--db PATH] [--out-root DIR]\n"
                                  "                          [--cache DIR]\n\n"
                                  "Trains (or resumes) exactly one run of the sweep: the I-th in expansion order, or\n"
                                  "the one whose config hash starts with PREFIX.\n\n") +
                          kCommonFlags + "  --cache DIR      model cache of the conditioner mini-CLIP (default cache)\n",
                      run_one_cmd});

RFLAB_COMMAND(Command{"sweep status", "done/running/failed/diverged/pending counts of a sweep and an ETA",
                      std::string("usage: rflab sweep status FILE [--db PATH] [--out-root DIR] [--jobs N]\n\n"
                                  "The ETA sums each unfinished run's remaining steps x batch size over its stored\n"
                                  "train/samples_per_s (the sweep's mean for runs without one), divided by N jobs.\n\n") +
                          kCommonFlags + "  --jobs N         concurrent runs assumed for the ETA (default 1)",
                      status_cmd});

RFLAB_COMMAND(Command{"sweep slurm", "write an sbatch array script, one task per pending run",
                      std::string("usage: rflab sweep slurm FILE [--out SCRIPT] [--shard-dir DIR] [--db PATH] [--out-root DIR]\n\n"
                                  "Writes an sbatch array script with one task per pending run (task id = run index),\n"
                                  "resources from the sweep file's \"resources\" object (partition, time, cpus, mem,\n"
                                  "max_parallel). Each task writes DIR/run-<index>.db; fold those into the main\n"
                                  "database with `rflab results merge`.\n\n") +
                          kCommonFlags +
                          "  --out SCRIPT     script path (default <sweep name>.sbatch)\n"
                          "  --shard-dir DIR  per-task databases and Slurm logs (default results/shards/<sweep name>)",
                      slurm_cmd});

}  // namespace
}  // namespace rflab::experiments
