// The SQLite results store: one file holds sweeps, runs with their provenance, metric series,
// evaluations and artifacts. Facts are append-or-replace keyed so that a resumed or re-merged run
// never duplicates rows. One Store is one connection: use it from one thread; several processes
// may each open their own Store on the same file (WAL, busy timeout, IMMEDIATE write transactions).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "results/canary.h"
#include "results/phase_timing.h"

namespace rflab::results {

// Where every command keeps its results unless told otherwise (--db).
inline constexpr const char* kDefaultDatabase = "results/rflab.db";

class Database;

enum class RunStatus { pending, running, done, failed, diverged };
std::string to_string(RunStatus s);
RunStatus run_status_from_string(const std::string& s);  // throws std::invalid_argument

// Everything outside the config that can change a run's numbers.
struct Provenance {
  std::string git_commit;
  bool git_dirty = false;
  std::string host, libtorch_version, blas, device;
  int threads = 0;
};

// A run's identity is (config_hash, code_version). code_version is empty for a run any commit
// may reuse (rflab train, sweeps: a study resumes across commits); a canary run is pinned to the
// code it measures (results/canary.h), so each commit trains its own.
struct RunRecord {
  std::string config_json;
  std::string config_hash;
  int64_t seed = 0;
  Provenance provenance;
  std::optional<int64_t> sweep_id;
  std::string code_version;
};

struct RunRow {
  int64_t id = 0;
  RunRecord record;
  RunStatus status = RunStatus::pending;
  std::string error;
  std::string started_at, ended_at;  // empty while unset
  std::string created_at;
};

// value is NaN when a diverged run logged a non-finite number (SQLite stores NaN as NULL).
struct MetricRow {
  int64_t run_id;
  int64_t step;
  std::string key;
  double value;
};

struct EvaluationRow {
  int64_t run_id;
  int64_t checkpoint_step;
  std::string weights;  // ema | raw
  std::string setting;  // e.g. S1
  int steps;
  double cfg;
  std::string metric;
  double value;
  int64_t n;
  std::string feature_space;
  std::string evaluator_hash;
};

struct ArtifactRow {
  int64_t run_id;
  std::string path, sha256, kind;
};

struct SweepRow {
  int64_t id;
  std::string name, file, content_hash, created_at;
};

class Store {
 public:
  static constexpr int kBusyTimeoutMs = 30000;

  // Creates the parent directory if missing, opens, migrates, enables WAL and foreign keys.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const;
  int schema_version() const;

  // Idempotent on (name, content_hash).
  int64_t register_sweep(const std::string& name, const std::string& file,
                         const std::string& content_hash);
  std::vector<SweepRow> sweeps() const;
  std::optional<int64_t> find_sweep(const std::string& name, const std::string& content_hash) const;

  // Idempotent on (config_hash, code_version): returns the existing id, else inserts with status
  // pending. With a sweep_id the run is also linked to that sweep (a run may belong to several).
  int64_t register_run(const RunRecord& r);
  std::optional<RunRow> find_run(const std::string& config_hash,
                                 const std::string& code_version = "") const;
  RunRow run(int64_t id) const;  // throws std::out_of_range if absent
  std::vector<RunRow> runs() const;
  std::vector<RunRow> runs_of_sweep(int64_t sweep_id) const;

  // running sets started_at if unset and clears ended_at; done/failed/diverged set ended_at.
  void set_status(int64_t run_id, RunStatus s, const std::string& error = "");
  void update_provenance(int64_t run_id, const Provenance& p);

  // One write transaction; a row with the same (run_id, step, key) is replaced.
  void append_metrics(int64_t run_id, int64_t step,
                      const std::vector<std::pair<std::string, double>>& values);
  std::vector<MetricRow> metrics(int64_t run_id, const std::string& key = "") const;  // by step, key
  // A resume from checkpoint step s drops what was logged after s.
  void delete_metrics_after(int64_t run_id, int64_t step);

  // Replaces value and n of an evaluation with the same identifying columns.
  void add_evaluation(const EvaluationRow& e);
  std::vector<EvaluationRow> evaluations(int64_t run_id) const;

  // Replaces sha256 and kind of an artifact with the same (run_id, path).
  void add_artifact(const ArtifactRow& a);
  std::vector<ArtifactRow> artifacts(int64_t run_id) const;

  // Canaries (results/canary.h), implemented in canary.cpp. register_canary is idempotent on
  // (suite, suite_hash, code_version) and returns the existing id, else inserts one as running.
  int64_t register_canary(const CanaryRecord& record);
  void link_canary_run(int64_t canary_id, int64_t run_id);
  void set_canary_status(int64_t canary_id, CanaryStatus status);
  std::vector<CanaryRow> canaries() const;  // oldest first, each with its runs in link order

  // Phase timings (results/phase_timing.h), implemented in phase_timing.cpp: appended in one
  // transaction; those of a sweep are its own rows and those of the runs it holds, oldest first.
  void add_phase_timings(const std::vector<PhaseTiming>& rows, const std::optional<MachineRate>& rate = std::nullopt);
  std::vector<PhaseTiming> phase_timings_of_sweep(int64_t sweep_id) const;
  // The machine rates of the invocations that stored timings of the sweep or of its runs.
  std::vector<MachineRate> machine_rates_of_sweep(int64_t sweep_id) const;
  // The seconds a run spent in `phase`, over every invocation that worked on it (0 when none).
  double phase_seconds_of_run(int64_t run_id, Phase phase) const;

  // Runs f inside BEGIN IMMEDIATE ... COMMIT, rolling back if f throws. Nested calls (and the
  // store's own writes inside f) become savepoints of the outer transaction.
  template <class F>
  void transaction(F&& f) {
    with_write("transaction", std::forward<F>(f));
  }

 private:
  template <class F>
  void with_write(const std::string& purpose, F&& f) {
    begin_write(purpose);
    try {
      f();
    } catch (...) {
      rollback_write();
      throw;
    }
    commit_write();
  }

  void begin_write(const std::string& purpose);
  void commit_write();
  void rollback_write();
  std::vector<RunRow> query_runs(const std::string& where, std::optional<int64_t> arg) const;

  std::unique_ptr<Database> db_;
  int write_depth_ = 0;
  std::vector<std::string> write_purposes_;
};

}  // namespace rflab::results
