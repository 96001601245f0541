#include "experiments/run_training.h"

#include <fmt/format.h>
#include <torch/version.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "core/data/dataset.h"
#include "core/io/png.h"
#include "core/model/cpu_kernel.h"
#include "core/train/trainer.h"
#include "core/util/device.h"
#include "core/util/threads.h"
#include "experiments/conditioner.h"
#include "experiments/invocation_clock.h"
#include "experiments/sweep_plan.h"
#include "results/error.h"
#include "results/phase_timing.h"
#include "results/provenance.h"
#include "results/run_config.h"
#include "results/sha256.h"
#include "results/store.h"

namespace rflab::experiments {

namespace {
std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

// Streams figures into the store (one transaction per call) and log lines to stdout.
struct StoreSink : core::MetricSink {
  StoreSink(results::Store& s, int64_t id, bool q) : store(s), run_id(id), quiet(q) {}
  void metrics(int64_t step, const std::vector<std::pair<std::string, double>>& values) override {
    store.append_metrics(run_id, step, values);
  }
  void log(const std::string& line) override {
    if (!quiet) std::cout << line << std::endl;
  }
  bool stop_requested() override { return g_stop.load(); }
  results::Store& store;
  int64_t run_id;
  bool quiet;
};

results::Provenance provenance(const RunOptions& o, const results::RunConfig& config) {
  auto p = results::collect_provenance(o.repo_dir);
  p.libtorch_version = libtorch_version();
  auto blas = core::blas_info();
  p.blas = blas.library.empty() ? "unknown" : blas.library;
  if (!blas.core.empty()) p.blas += " (" + blas.core + " kernels)";
  if (!core::fused_kernels()) p.blas += "; fused CPU kernels off";
  p.threads = torch::get_num_threads() * 1000 + blas.openblas_threads;  // torch·1000 + OpenBLAS
  p.device = config.train.device;
  return p;
}
// A diverged run keeps its checkpoint for inspection and is not retried; a stopped one stays
// pending, to resume from its checkpoint.
void record_unfinished(results::Store& store, const core::TrainResult& r, const RunOptions& o, RunOutcome& out) {
  if (r.outcome == core::TrainOutcome::diverged) {
    store.set_status(out.run_id, results::RunStatus::diverged, r.error);
    out.status = "diverged";
    out.exit_code = 1;
    if (!o.quiet) std::cout << "run diverged: " << r.error << "\n";
    return;
  }
  store.set_status(out.run_id, results::RunStatus::pending, fmt::format("interrupted at step {}", r.step));
  out.status = "stopped";
  out.exit_code = 130;
  if (!o.quiet) std::cout << fmt::format("stopped at step {}; checkpoint saved; run again to resume\n", r.step);
}

// A finished run: the end-of-run sample grid, the artifacts with their sha256, then done.
void finish_run(results::Store& store, core::Trainer& trainer, const results::RunConfig& config,
                const core::TrainResult& r, const RunOptions& o, RunOutcome& out, results::PhaseClock& clock) {
  auto artifact = [&](const std::string& path, const std::string& kind) {
    if (std::filesystem::exists(path)) store.add_artifact({out.run_id, path, results::sha256_file(path), kind});
  };
  const int64_t per_class = config.eval.samples_per_class;
  if (o.write_samples && per_class > 0) {
    out.samples_png = out.out_dir + "/samples.png";
    auto grid = clock.time(results::Phase::sampling, [&] { return trainer.sample_grid(per_class).to(torch::kCPU); });
    core::write_png(out.samples_png, core::make_grid(grid, per_class));
    artifact(out.samples_png, "sample_grid");
  }
  artifact(trainer.checkpoint_path(), "checkpoint");
  artifact(trainer.best_path(), "best_checkpoint");
  store.set_status(out.run_id, results::RunStatus::done);
  out.status = "done";
  if (!o.quiet) {
    std::cout << fmt::format("\ndone: {} steps, last loss {:.5f}, best native EMA validation loss {:.5f} at step {}\n",
                             r.step, r.last_loss, r.best_val, r.best_step);
    std::cout << "  checkpoint: " << trainer.checkpoint_path() << "\n  best:       " << trainer.best_path() << "\n";
    if (!out.samples_png.empty()) std::cout << "  samples:    " << out.samples_png << "\n";
    std::cout << "  database:   " << o.db_path << " (run " << out.run_id << ")\n";
  }
}
}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() { return g_stop.load(); }

std::string libtorch_version() { return TORCH_VERSION; }

c10::Device require_run_inputs(const results::RunConfig& config) {
  conditioner_config(config);
  core::require_dataset_inputs(config.data);
  return core::device_named(config.train.device, "train.device");
}

RunOutcome run_training(const results::RunConfig& config, const RunOptions& o) {
  RunOutcome out;
  require_run_inputs(config);
  const std::string hash = config.hash();
  out.out_dir = o.out_dir.empty() ? run_out_dir(kDefaultOutRoot, hash) : o.out_dir;
  results::Store store(o.db_path);
  results::RunRecord rec;
  rec.config_json = config.canonical_json();
  rec.config_hash = hash;
  rec.code_version = o.code_version;
  rec.seed = static_cast<int64_t>(config.train.seed);
  rec.provenance = provenance(o, config);
  out.run_id = store.register_run(rec);
  auto existing = store.run(out.run_id);
  if (existing.status == results::RunStatus::done) {
    if (!o.quiet) std::cout << fmt::format("run {} ({}) is already done; outputs in {}\n", out.run_id, hash.substr(0, 12), out.out_dir);
    out.status = "done";
    out.samples_png = out.out_dir + "/samples.png";
    return out;
  }
  auto clock = invocation_clock(o.command, out.run_id);
  // The run's phases go into the store however this call ends (done, stopped, diverged, failed).
  struct RecordTimings {
    results::Store& store;
    results::PhaseClock& clock;
    ~RecordTimings() {
      try {
        results::record_phase_timings(store, clock);
      } catch (const std::exception& e) {
        std::cerr << "phase timings not stored: " << e.what() << std::endl;
      }
    }
  } record_timings{store, clock};
  StoreSink sink(store, out.run_id, o.quiet);
  auto conditioner = clock.time(results::Phase::conditioner, [&] {
    return load_or_train_conditioner(config, o.cache_dir, o.quiet ? nullptr : &std::cout);
  });
  core::Trainer trainer(config, std::move(conditioner), out.out_dir, sink);  // on train.device
  std::filesystem::create_directories(out.out_dir);
  int64_t from = trainer.resume();
  store.update_provenance(out.run_id, rec.provenance);
  store.set_status(out.run_id, results::RunStatus::running);
  // Figures logged after the checkpoint belong to steps that will be recomputed.
  store.delete_metrics_after(out.run_id, from);
  if (!o.quiet)
    std::cout << fmt::format("run {} ({}): {} from step {}; outputs in {}\n", out.run_id, hash.substr(0, 12),
                             from > 0 ? "resuming" : "training", from, out.out_dir);

  core::TrainResult r;
  try {
    r = trainer.run(&clock);
  } catch (const std::exception& e) {
    store.set_status(out.run_id, results::RunStatus::failed, e.what());
    throw;
  }
  if (r.outcome != core::TrainOutcome::done) {
    record_unfinished(store, r, o, out);
    return out;
  }
  finish_run(store, trainer, config, r, o, out, clock);
  return out;
}

}  // namespace rflab::experiments
