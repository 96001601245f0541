#include "results/store.h"

#include "results/error.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "results/schema.h"
#include "results/sqlite_db.h"

namespace rflab::results {

std::string to_string(RunStatus s) {
  switch (s) {
    case RunStatus::pending: return "pending";
    case RunStatus::running: return "running";
    case RunStatus::done: return "done";
    case RunStatus::failed: return "failed";
    case RunStatus::diverged: return "diverged";
  }
  throw std::logic_error("to_string: RunStatus out of range");
}

RunStatus run_status_from_string(const std::string& s) {
  for (auto v : {RunStatus::pending, RunStatus::running, RunStatus::done, RunStatus::failed,
                 RunStatus::diverged})
    if (to_string(v) == s) return v;
  throw std::invalid_argument("run status: expected pending|running|done|failed|diverged, got '" +
                              s + "'");
}

namespace {

const char* kRunColumns =
    "id, sweep_id, config_json, config_hash, seed, status, error, git_commit, git_dirty, host, "
    "libtorch_version, blas, device, threads, created_at, started_at, ended_at, code_version";

RunRow read_run(const Statement& st) {
  RunRow r;
  r.id = st.column_int(0);
  r.record.sweep_id = st.column_optional_int(1);
  r.record.config_json = st.column_text(2);
  r.record.config_hash = st.column_text(3);
  r.record.seed = st.column_int(4);
  r.status = run_status_from_string(st.column_text(5));
  r.error = st.column_text(6);
  Provenance& p = r.record.provenance;
  p.git_commit = st.column_text(7);
  p.git_dirty = st.column_int(8) != 0;
  p.host = st.column_text(9);
  p.libtorch_version = st.column_text(10);
  p.blas = st.column_text(11);
  p.device = st.column_text(12);
  p.threads = static_cast<int>(st.column_int(13));
  r.created_at = st.column_text(14);
  r.started_at = st.column_text(15);
  r.ended_at = st.column_text(16);
  r.record.code_version = st.column_text(17);
  return r;
}

}  // namespace

namespace {
// A path the user named that cannot hold a database is bad input, not an internal error: a
// folder, or an existing non-empty file without SQLite's header (an empty file is a new database).
void require_database_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw_input_error(path, "database", "an SQLite database file", "a folder");
  if (!fs::exists(path, ec) || fs::file_size(path, ec) == 0) return;
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  if (!in || std::string(header, sizeof header) != std::string("SQLite format 3\0", 16))
    throw_input_error(path, "database", "an SQLite database file", "a file that is not one");
}
}  // namespace

Store::Store(const std::string& path) {
  namespace fs = std::filesystem;
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    require_database_file(path);
    const fs::path parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) throw StoreError(path + ": create parent directory: " + ec.message());
  }
  db_ = std::make_unique<Database>(path, kBusyTimeoutMs);
  // Refuse a newer database before changing anything in it, the journal mode included.
  refuse_newer_schema(*db_);
  db_->exec_retrying_busy("PRAGMA journal_mode = WAL", "enable WAL journal", kBusyTimeoutMs);
  db_->exec("PRAGMA synchronous = NORMAL", "set synchronous mode");
  // Migrations may rebuild a table that others reference (SQLite's documented procedure), so
  // foreign keys are enforced only from here on.
  apply_migrations(*db_);
  db_->exec("PRAGMA foreign_keys = ON", "enable foreign keys");
}

Store::~Store() = default;

const std::string& Store::path() const { return db_->path(); }

int Store::schema_version() const { return read_schema_version(*db_); }

void Store::begin_write(const std::string& purpose) {
  if (write_depth_ == 0)
    db_->exec("BEGIN IMMEDIATE", purpose + ": begin write transaction");
  else
    db_->exec("SAVEPOINT rflab_nested", purpose + ": begin savepoint");
  ++write_depth_;
  write_purposes_.push_back(purpose);
}

void Store::commit_write() {
  const std::string purpose = write_purposes_.back();
  if (write_depth_ == 1)
    db_->exec("COMMIT", purpose + ": commit");
  else
    db_->exec("RELEASE rflab_nested", purpose + ": release savepoint");
  --write_depth_;
  write_purposes_.pop_back();
}

void Store::rollback_write() {
  const std::string purpose = write_purposes_.back();
  --write_depth_;
  write_purposes_.pop_back();
  // Called while an exception propagates: a failed rollback must not replace the original error.
  try {
    if (write_depth_ == 0)
      db_->exec("ROLLBACK", purpose + ": rollback");
    else
      db_->exec("ROLLBACK TO rflab_nested; RELEASE rflab_nested", purpose + ": rollback savepoint");
  } catch (const StoreError&) {
  }
}

int64_t Store::register_sweep(const std::string& name, const std::string& file,
                              const std::string& content_hash) {
  int64_t id = 0;
  const std::string purpose = "register sweep '" + name + "'";
  with_write(purpose, [&] {
    db_->prepare("INSERT INTO sweeps(name, file, content_hash) VALUES (?, ?, ?) "
                 "ON CONFLICT(name, content_hash) DO NOTHING", purpose)
        .bind(1, name).bind(2, file).bind(3, content_hash).run();
    auto st = db_->prepare("SELECT id FROM sweeps WHERE name = ? AND content_hash = ?", purpose);
    st.bind(1, name).bind(2, content_hash);
    if (!st.step()) throw std::logic_error("register_sweep: inserted row not found");
    id = st.column_int(0);
  });
  return id;
}

std::vector<SweepRow> Store::sweeps() const {
  auto st = db_->prepare("SELECT id, name, file, content_hash, created_at FROM sweeps ORDER BY id",
                         "list sweeps");
  std::vector<SweepRow> out;
  while (st.step())
    out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3),
                   st.column_text(4)});
  return out;
}

std::optional<int64_t> Store::find_sweep(const std::string& name, const std::string& content_hash) const {
  auto st = db_->prepare("SELECT id FROM sweeps WHERE name = ? AND content_hash = ?", "find sweep " + name);
  st.bind(1, name).bind(2, content_hash);
  if (!st.step()) return std::nullopt;
  return st.column_int(0);
}

int64_t Store::register_run(const RunRecord& r) {
  const std::string purpose = "register run " + r.config_hash;
  int64_t id = 0;
  with_write(purpose, [&] {
    const Provenance& p = r.provenance;
    db_->prepare(
           "INSERT INTO runs(sweep_id, config_json, config_hash, code_version, seed, git_commit, "
           "git_dirty, host, libtorch_version, blas, device, threads) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
           "ON CONFLICT(config_hash, code_version) DO NOTHING",
           purpose)
        .bind(1, r.sweep_id).bind(2, r.config_json).bind(3, r.config_hash).bind(4, r.code_version)
        .bind(5, r.seed).bind(6, p.git_commit).bind(7, int64_t(p.git_dirty)).bind(8, p.host)
        .bind(9, p.libtorch_version).bind(10, p.blas).bind(11, p.device).bind(12, p.threads)
        .run();
    auto st = db_->prepare("SELECT id FROM runs WHERE config_hash = ? AND code_version = ?", purpose);
    st.bind(1, r.config_hash).bind(2, r.code_version);
    if (!st.step()) throw std::logic_error("register_run: inserted row not found");
    id = st.column_int(0);
    if (r.sweep_id)
      db_->prepare("INSERT OR IGNORE INTO sweep_runs(sweep_id, run_id) VALUES (?, ?)", purpose)
          .bind(1, *r.sweep_id).bind(2, id).run();
  });
  return id;
}

std::vector<RunRow> Store::query_runs(const std::string& where, std::optional<int64_t> arg) const {
  auto st = db_->prepare(std::string("SELECT ") + kRunColumns + " FROM runs " + where +
                             " ORDER BY id",
                         "read runs");
  if (arg) st.bind(1, *arg);
  std::vector<RunRow> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

std::optional<RunRow> Store::find_run(const std::string& config_hash,
                                      const std::string& code_version) const {
  auto st = db_->prepare(std::string("SELECT ") + kRunColumns +
                             " FROM runs WHERE config_hash = ? AND code_version = ?",
                         "find run " + config_hash);
  st.bind(1, config_hash).bind(2, code_version);
  if (!st.step()) return std::nullopt;
  return read_run(st);
}

RunRow Store::run(int64_t id) const {
  auto rows = query_runs("WHERE id = ?", id);
  if (rows.empty())
    throw std::out_of_range(path() + ": run " + std::to_string(id) + " does not exist");
  return rows.front();
}

std::vector<RunRow> Store::runs() const { return query_runs("", std::nullopt); }

std::vector<RunRow> Store::runs_of_sweep(int64_t sweep_id) const {
  return query_runs("WHERE id IN (SELECT run_id FROM sweep_runs WHERE sweep_id = ?)", sweep_id);
}

void Store::set_status(int64_t run_id, RunStatus s, const std::string& error) {
  const std::string purpose = "set status of run " + std::to_string(run_id) + " to " + to_string(s);
  std::string sql;
  switch (s) {
    case RunStatus::pending:
      sql = "UPDATE runs SET status = ?, error = ?, ended_at = NULL WHERE id = ?";
      break;
    case RunStatus::running:
      sql = "UPDATE runs SET status = ?, error = ?, ended_at = NULL, started_at = "
            "COALESCE(started_at, strftime('%Y-%m-%dT%H:%M:%fZ','now')) WHERE id = ?";
      break;
    default:
      sql = "UPDATE runs SET status = ?, error = ?, "
            "ended_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?";
  }
  with_write(purpose, [&] {
    db_->prepare(sql, purpose).bind(1, to_string(s)).bind(2, error).bind(3, run_id).run();
    if (db_->changes() != 1)
      throw std::out_of_range(path() + ": " + purpose + ": run does not exist");
  });
}

void Store::update_provenance(int64_t run_id, const Provenance& p) {
  const std::string purpose = "update provenance of run " + std::to_string(run_id);
  with_write(purpose, [&] {
    db_->prepare("UPDATE runs SET git_commit = ?, git_dirty = ?, host = ?, libtorch_version = ?, "
                 "blas = ?, device = ?, threads = ? WHERE id = ?",
                 purpose)
        .bind(1, p.git_commit).bind(2, int64_t(p.git_dirty)).bind(3, p.host)
        .bind(4, p.libtorch_version).bind(5, p.blas).bind(6, p.device).bind(7, p.threads)
        .bind(8, run_id).run();
    if (db_->changes() != 1)
      throw std::out_of_range(path() + ": " + purpose + ": run does not exist");
  });
}

void Store::append_metrics(int64_t run_id, int64_t step,
                           const std::vector<std::pair<std::string, double>>& values) {
  const std::string purpose =
      "append metrics of run " + std::to_string(run_id) + " at step " + std::to_string(step);
  with_write(purpose, [&] {
    auto st = db_->prepare("INSERT INTO metrics(run_id, step, key, value) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(run_id, step, key) DO UPDATE SET value = excluded.value",
                           purpose);
    for (const auto& [key, value] : values) {
      st.bind(1, run_id).bind(2, step).bind(3, key).bind(4, value).run();
      st.reset();
    }
  });
}

std::vector<MetricRow> Store::metrics(int64_t run_id, const std::string& key) const {
  const std::string purpose = "read metrics of run " + std::to_string(run_id);
  auto st = key.empty()
                ? db_->prepare("SELECT run_id, step, key, value FROM metrics WHERE run_id = ? "
                               "ORDER BY step, key", purpose)
                : db_->prepare("SELECT run_id, step, key, value FROM metrics WHERE run_id = ? "
                               "AND key = ? ORDER BY step, key", purpose);
  st.bind(1, run_id);
  if (!key.empty()) st.bind(2, key);
  std::vector<MetricRow> out;
  while (st.step())
    out.push_back({st.column_int(0), st.column_int(1), st.column_text(2), st.column_double(3)});
  return out;
}

void Store::delete_metrics_after(int64_t run_id, int64_t step) {
  const std::string purpose =
      "delete metrics of run " + std::to_string(run_id) + " after step " + std::to_string(step);
  with_write(purpose, [&] {
    db_->prepare("DELETE FROM metrics WHERE run_id = ? AND step > ?", purpose)
        .bind(1, run_id).bind(2, step).run();
  });
}

void Store::add_evaluation(const EvaluationRow& e) {
  const std::string purpose = "add evaluation " + e.metric + " of run " + std::to_string(e.run_id);
  with_write(purpose, [&] {
    db_->prepare(
           "INSERT INTO evaluations(run_id, checkpoint_step, weights, setting, steps, cfg, metric, "
           "value, n, feature_space, evaluator_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
           "ON CONFLICT(run_id, checkpoint_step, weights, setting, steps, cfg, metric, "
           "feature_space, evaluator_hash) DO UPDATE SET value = excluded.value, n = excluded.n",
           purpose)
        .bind(1, e.run_id).bind(2, e.checkpoint_step).bind(3, e.weights).bind(4, e.setting)
        .bind(5, e.steps).bind(6, e.cfg).bind(7, e.metric).bind(8, e.value).bind(9, e.n)
        .bind(10, e.feature_space).bind(11, e.evaluator_hash).run();
  });
}

std::vector<EvaluationRow> Store::evaluations(int64_t run_id) const {
  auto st = db_->prepare(
      "SELECT run_id, checkpoint_step, weights, setting, steps, cfg, metric, value, n, "
      "feature_space, evaluator_hash FROM evaluations WHERE run_id = ? ORDER BY id",
      "read evaluations of run " + std::to_string(run_id));
  st.bind(1, run_id);
  std::vector<EvaluationRow> out;
  while (st.step())
    out.push_back({st.column_int(0), st.column_int(1), st.column_text(2), st.column_text(3),
                   static_cast<int>(st.column_int(4)), st.column_double(5), st.column_text(6),
                   st.column_double(7), st.column_int(8), st.column_text(9), st.column_text(10)});
  return out;
}

void Store::add_artifact(const ArtifactRow& a) {
  const std::string purpose = "add artifact " + a.path + " of run " + std::to_string(a.run_id);
  with_write(purpose, [&] {
    db_->prepare("INSERT INTO artifacts(run_id, path, sha256, kind) VALUES (?,?,?,?) "
                 "ON CONFLICT(run_id, path) DO UPDATE SET sha256 = excluded.sha256, "
                 "kind = excluded.kind",
                 purpose)
        .bind(1, a.run_id).bind(2, a.path).bind(3, a.sha256).bind(4, a.kind).run();
  });
}

std::vector<ArtifactRow> Store::artifacts(int64_t run_id) const {
  auto st = db_->prepare("SELECT run_id, path, sha256, kind FROM artifacts WHERE run_id = ? "
                         "ORDER BY id",
                         "read artifacts of run " + std::to_string(run_id));
  st.bind(1, run_id);
  std::vector<ArtifactRow> out;
  while (st.step())
    out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3)});
  return out;
}

}  // namespace rflab::results
