#include "results/merge.h"

#include <filesystem>
#include <optional>

#include "results/error.h"
#include "results/schema.h"
#include "results/sqlite_db.h"
#include "results/store.h"

namespace rflab::results {

namespace {

int status_rank(const std::string& s) {
  static const char* order[] = {"pending", "running", "failed", "diverged", "done"};
  for (int i = 0; i < 5; ++i)
    if (s == order[i]) return i;
  throw std::logic_error("merge: unknown run status '" + s + "'");
}

std::optional<std::string> optional_text(const Statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.column_text(col);
}

void bind_text(Statement& st, int i, const std::optional<std::string>& v) {
  if (v)
    st.bind(i, *v);
  else
    st.bind_null(i);
}

// The columns of a run that a merge may take from the shard; config and seed are fixed by the hash.
struct RunFacts {
  std::string status, error, git_commit, host, libtorch_version, blas, device;
  int64_t git_dirty = 0, threads = 0;
  std::optional<std::string> started_at, ended_at;

  bool operator==(const RunFacts& o) const {
    return status == o.status && error == o.error && git_commit == o.git_commit &&
           host == o.host && libtorch_version == o.libtorch_version && blas == o.blas &&
           device == o.device && git_dirty == o.git_dirty && threads == o.threads &&
           started_at == o.started_at && ended_at == o.ended_at;
  }
};

const char* kFactColumns =
    "status, error, git_commit, host, libtorch_version, blas, device, git_dirty, threads, "
    "started_at, ended_at";

RunFacts read_facts(const Statement& st, int first) {
  RunFacts f;
  f.status = st.column_text(first);
  f.error = st.column_text(first + 1);
  f.git_commit = st.column_text(first + 2);
  f.host = st.column_text(first + 3);
  f.libtorch_version = st.column_text(first + 4);
  f.blas = st.column_text(first + 5);
  f.device = st.column_text(first + 6);
  f.git_dirty = st.column_int(first + 7);
  f.threads = st.column_int(first + 8);
  f.started_at = optional_text(st, first + 9);
  f.ended_at = optional_text(st, first + 10);
  return f;
}

void bind_facts(Statement& st, int first, const RunFacts& f) {
  st.bind(first, f.status).bind(first + 1, f.error).bind(first + 2, f.git_commit)
      .bind(first + 3, f.host).bind(first + 4, f.libtorch_version).bind(first + 5, f.blas)
      .bind(first + 6, f.device).bind(first + 7, f.git_dirty).bind(first + 8, f.threads);
  bind_text(st, first + 9, f.started_at);
  bind_text(st, first + 10, f.ended_at);
}

bool shard_wins(const RunFacts& main, const RunFacts& shard) {
  const int m = status_rank(main.status), s = status_rank(shard.status);
  if (s != m) return s > m;
  return shard.ended_at.value_or("") > main.ended_at.value_or("");
}

void check_shard(const std::string& main_path, const std::string& shard_path) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(shard_path))
    throw_input_error(shard_path, "", "an rflab results database (SQLite file)", "no such file");
  std::error_code ec;
  if (fs::exists(main_path) && fs::equivalent(main_path, shard_path, ec))
    throw_input_error(shard_path, "", "a shard other than the main database", "the main database itself");
  int version = 0;
  try {
    Database probe(shard_path, Store::kBusyTimeoutMs);
    version = read_schema_version(probe);
  } catch (const StoreError& e) {
    throw_input_error(shard_path, "", "an rflab results database (SQLite file)", e.what());
  }
  if (version < 1)
    throw_input_error(shard_path, "schema_version", "an rflab results database (1 or more)", "0");
}

// Every run of the shard, inserted into main or updated there when the shard's row is ahead.
void merge_runs(Database& db, MergeReport& report) {
  auto shard_runs = db.prepare(
      std::string("SELECT r.config_hash, r.config_json, r.seed, r.created_at, s.name, "
                  "s.content_hash, ") +
          "r.status, r.error, r.git_commit, r.host, r.libtorch_version, r.blas, r.device, "
          "r.git_dirty, r.threads, r.started_at, r.ended_at, r.code_version "
          "FROM shard.runs r LEFT JOIN shard.sweeps s ON s.id = r.sweep_id ORDER BY r.id",
      "merge: read shard runs");
  auto find = db.prepare(std::string("SELECT id, ") + kFactColumns + " FROM main.runs WHERE config_hash = ? AND code_version = ?",
                         "merge: find run");
  auto insert = db.prepare(
      std::string("INSERT INTO main.runs(config_hash, code_version, config_json, seed, created_at, sweep_id, ") +
          kFactColumns +
          ") VALUES (?, ?, ?, ?, ?, (SELECT id FROM main.sweeps WHERE name = ? AND content_hash = ?), "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      "merge: insert run");
  auto update = db.prepare(
      "UPDATE main.runs SET status = ?, error = ?, git_commit = ?, host = ?, libtorch_version = ?, "
      "blas = ?, device = ?, git_dirty = ?, threads = ?, started_at = ?, ended_at = ? WHERE id = ?",
      "merge: update run");
  while (shard_runs.step()) {
    const std::string hash = shard_runs.column_text(0);
    const std::string code_version = shard_runs.column_text(17);
    const RunFacts theirs = read_facts(shard_runs, 6);
    find.reset();
    find.bind(1, hash).bind(2, code_version);
    if (!find.step()) {
      insert.reset();
      insert.bind(1, hash).bind(2, code_version).bind(3, shard_runs.column_text(1))
          .bind(4, shard_runs.column_int(2)).bind(5, shard_runs.column_text(3));
      bind_text(insert, 6, optional_text(shard_runs, 4));
      bind_text(insert, 7, optional_text(shard_runs, 5));
      bind_facts(insert, 8, theirs);
      insert.run();
      ++report.runs_added;
      continue;
    }
    const int64_t id = find.column_int(0);
    const RunFacts ours = read_facts(find, 1);
    if (ours == theirs || !shard_wins(ours, theirs)) continue;
    update.reset();
    bind_facts(update, 1, theirs);
    update.bind(12, id).run();
    ++report.runs_updated;
  }
}

// Runs one INSERT ... SELECT and returns how many rows it inserted or changed.
int64_t upsert(Database& db, const std::string& sql, const std::string& purpose) {
  db.exec(sql, purpose);
  return db.changes();
}

// Maps a shard run id to the main run id through the run's identity.
const char* kRunMap =
    " JOIN shard.runs sr ON sr.id = x.run_id JOIN main.runs mr ON mr.config_hash = sr.config_hash "
    "AND mr.code_version = sr.code_version ";

void merge_sweeps(Database& db, MergeReport& report) {
  report.sweeps_added += upsert(
      db,
      "INSERT INTO main.sweeps(name, file, content_hash, created_at) "
      "SELECT name, file, content_hash, created_at FROM shard.sweeps WHERE 1 "
      "ON CONFLICT(name, content_hash) DO NOTHING",
      "merge: sweeps");
}

void merge_rows(Database& db, MergeReport& report) {
  report.links_added += upsert(
      db,
      "INSERT OR IGNORE INTO main.sweep_runs(sweep_id, run_id) "
      "SELECT ms.id, mr.id FROM shard.sweep_runs x "
      "JOIN shard.sweeps ss ON ss.id = x.sweep_id "
      "JOIN main.sweeps ms ON ms.name = ss.name AND ms.content_hash = ss.content_hash" +
          std::string(kRunMap),
      "merge: sweep membership");
  report.metric_rows += upsert(
      db,
      std::string("INSERT INTO main.metrics(run_id, step, key, value) "
                  "SELECT mr.id, x.step, x.key, x.value FROM shard.metrics x") +
          kRunMap +
          "WHERE 1 ON CONFLICT(run_id, step, key) DO UPDATE SET value = excluded.value "
          "WHERE value IS NOT excluded.value",
      "merge: metrics");
  report.evaluation_rows += upsert(
      db,
      std::string("INSERT INTO main.evaluations(run_id, checkpoint_step, weights, setting, steps, "
                  "cfg, metric, value, n, feature_space, evaluator_hash, created_at) "
                  "SELECT mr.id, x.checkpoint_step, x.weights, x.setting, x.steps, x.cfg, x.metric, "
                  "x.value, x.n, x.feature_space, x.evaluator_hash, x.created_at "
                  "FROM shard.evaluations x") +
          kRunMap +
          "WHERE 1 ON CONFLICT(run_id, checkpoint_step, weights, setting, steps, cfg, metric, "
          "feature_space, evaluator_hash) DO UPDATE SET value = excluded.value, n = excluded.n "
          "WHERE value IS NOT excluded.value OR n IS NOT excluded.n",
      "merge: evaluations");
  report.artifact_rows += upsert(
      db,
      std::string("INSERT INTO main.artifacts(run_id, path, sha256, kind, created_at) "
                  "SELECT mr.id, x.path, x.sha256, x.kind, x.created_at FROM shard.artifacts x") +
          kRunMap +
          "WHERE 1 ON CONFLICT(run_id, path) DO UPDATE SET sha256 = excluded.sha256, "
          "kind = excluded.kind WHERE sha256 IS NOT excluded.sha256 OR kind IS NOT excluded.kind",
      "merge: artifacts");
  // A timing row keeps its invocation's id; its sweep and run are mapped like the rows above.
  report.timing_rows += upsert(
      db,
      "INSERT OR IGNORE INTO main.phase_timings(invocation, seq, command, sweep_id, run_id, phase, seconds, "
      "created_at) "
      "SELECT x.invocation, x.seq, x.command, ms.id, mr.id, x.phase, x.seconds, x.created_at "
      "FROM shard.phase_timings x "
      "LEFT JOIN shard.sweeps ss ON ss.id = x.sweep_id "
      "LEFT JOIN main.sweeps ms ON ms.name = ss.name AND ms.content_hash = ss.content_hash "
      "LEFT JOIN shard.runs sr ON sr.id = x.run_id "
      "LEFT JOIN main.runs mr ON mr.config_hash = sr.config_hash AND mr.code_version = sr.code_version",
      "merge: phase timings");
  report.timing_rows += upsert(db,
                               "INSERT OR IGNORE INTO main.machine_rates(invocation, command, sgemm_gflops, "
                               "blas_threads, blas_kernels, created_at) "
                               "SELECT invocation, command, sgemm_gflops, blas_threads, blas_kernels, created_at "
                               "FROM shard.machine_rates",
                               "merge: machine rates");
}

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

MergeReport merge_shard(const std::string& main_path, const std::string& shard_path) {
  check_shard(main_path, shard_path);
  // Opening each as a Store migrates both to this code's schema (and refuses newer ones).
  { Store main(main_path); }
  { Store shard(shard_path); }
  Database db(main_path, Store::kBusyTimeoutMs);
  db.exec("PRAGMA foreign_keys = ON", "enable foreign keys");
  db.exec("ATTACH DATABASE " + sql_quote(shard_path) + " AS shard", "attach shard " + shard_path);
  MergeReport report;
  db.exec("BEGIN IMMEDIATE", "merge " + shard_path + ": begin write transaction");
  try {
    merge_sweeps(db, report);
    merge_runs(db, report);
    merge_rows(db, report);
    db.exec("COMMIT", "merge " + shard_path + ": commit");
  } catch (...) {
    try { db.exec("ROLLBACK", "merge: rollback"); } catch (const StoreError&) {}
    throw;
  }
  db.exec("DETACH DATABASE shard", "detach shard");
  return report;
}

}  // namespace rflab::results
