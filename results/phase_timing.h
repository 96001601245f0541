// Where a study's time goes. Every command that does a study's work (sweep run and its workers,
// train, eval, report) measures the wall-clock seconds of its phases and stores them beside the
// runs (table phase_timings, schema version 3), so the summary a study ends with — and the next
// regression in speed — can be read from the database. One process invocation writes its rows
// together, tagged with a random invocation id; `other` is what the invocation spent outside its
// named phases and outside the workers it waited on, so an invocation's rows sum to its wall time.
// Beside them each invocation stores the machine's sgemm rate (table machine_rates, schema
// version 4), measured as it started: the same study takes twice as long on a machine half as
// fast, and only the rate tells a slower machine from slower code.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rflab::results {

class Store;

enum class Phase {
  conditioner,         // the text conditioner of a run, trained or read from the cache
  training,            // optimiser steps (forward, backward, AdamW, EMA)
  validation,          // validation loss: during training and in rflab eval
  checkpoints,         // writing checkpoints
  evaluator_training,  // the evaluator mini-CLIP and classifier, trained or read from the cache
  reference_features,  // held-out and training-pool features, k-NN radii, noise floors
  sampling,            // generating images: evaluation settings and sample grids
  metrics,             // features of generated images and their figures
  report,              // ranking, plots, report files
  other,               // the rest of an invocation: loading, database writes, images on disk
};

// Phases in the order the summary lists them.
const std::vector<Phase>& all_phases();
std::string to_string(Phase p);
Phase phase_from_string(const std::string& s);  // std::invalid_argument for an unknown name

struct PhaseTiming {
  std::string invocation;  // one process's id (PhaseClock), shared by its rows
  std::string command;     // e.g. "sweep run", "sweep run-one", "eval", "report"
  std::optional<int64_t> sweep_id, run_id;
  Phase phase = Phase::other;
  double seconds = 0;
  std::string created_at;  // set by the store
};

// How fast the machine an invocation ran on was: core::sgemm_gflops at its default shape, on the
// invocation's BLAS threads, measured when it started.
struct MachineRate {
  std::string invocation;
  std::string command;
  double sgemm_gflops = 0;
  int64_t blas_threads = 0;  // OpenBLAS's pool size; 0 for another BLAS
  std::string blas_kernels;  // OpenBLAS's kernel family ("Haswell", "SkylakeX"); "" for another BLAS
  std::string created_at;    // set by the store
};

// Accumulates one invocation's phase seconds. Not thread-safe: one per process or command.
class PhaseClock {
 public:
  // Rows without a run of their own belong to `run_id` when given (a training run's clock).
  explicit PhaseClock(std::string command, std::optional<int64_t> run_id = std::nullopt);

  // Runs f and adds its wall time to `phase` (of `run_id`, else of the clock's run), also when f
  // throws; returns what f returns.
  template <typename F>
  auto time(Phase phase, F&& f, std::optional<int64_t> run_id = std::nullopt) -> decltype(f()) {
    struct Add {
      PhaseClock& clock;
      Phase phase;
      std::optional<int64_t> run_id;
      std::chrono::steady_clock::time_point t0;
      ~Add() { clock.add(phase, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), run_id); }
    } add{*this, phase, run_id, std::chrono::steady_clock::now()};
    return f();
  }
  void add(Phase phase, double seconds, std::optional<int64_t> run_id = std::nullopt);
  // Seconds spent elsewhere (waiting on worker processes that store their own rows): left out
  // of this invocation's `other`.
  void exclude(double seconds);

  // The machine's rate for this invocation (measured by the caller: results/ has no BLAS);
  // stored once, with the first rows the invocation stores.
  void set_machine_rate(double sgemm_gflops, int64_t blas_threads, std::string blas_kernels);
  const std::optional<MachineRate>& machine_rate() const { return machine_rate_; }

  const std::string& invocation() const { return invocation_; }
  double elapsed() const;  // seconds since construction

  // The rows so far, plus `other` = elapsed − named phases − excluded (never negative), which
  // belongs to the clock's run; every row without a run gets `sweep_id`.
  std::vector<PhaseTiming> rows(std::optional<int64_t> sweep_id = std::nullopt) const;

 private:
  std::string command_, invocation_;
  std::optional<int64_t> run_id_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::pair<std::optional<int64_t>, Phase>, double> seconds_;  // by (run, phase)
  double excluded_ = 0;
  std::optional<MachineRate> machine_rate_;
};

// Stores the clock's rows and its machine rate in one transaction (Store::add_phase_timings).
void record_phase_timings(Store& store, const PhaseClock& clock, std::optional<int64_t> sweep_id = std::nullopt);

}  // namespace rflab::results
