#include "results/schema.h"

#include "results/error.h"
#include "results/sqlite_db.h"

namespace rflab::results {

// ISO-8601 UTC with milliseconds, e.g. 2024-03-05T12:00:00.123Z.
#define RFLAB_NOW "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> list = {
      // 1: the initial schema.
      R"sql(
CREATE TABLE sweeps (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  file         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  UNIQUE (name, content_hash)
);
CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER REFERENCES sweeps(id),
  config_json      TEXT NOT NULL,
  config_hash      TEXT NOT NULL UNIQUE,
  seed             INTEGER NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending','running','done','failed','diverged')),
  error            TEXT NOT NULL DEFAULT '',
  git_commit       TEXT NOT NULL DEFAULT '',
  git_dirty        INTEGER NOT NULL DEFAULT 0,
  host             TEXT NOT NULL DEFAULT '',
  libtorch_version TEXT NOT NULL DEFAULT '',
  blas             TEXT NOT NULL DEFAULT '',
  device           TEXT NOT NULL DEFAULT '',
  threads          INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  started_at       TEXT,
  ended_at         TEXT
);
CREATE INDEX runs_sweep ON runs(sweep_id);
CREATE TABLE sweep_runs (
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  PRIMARY KEY (sweep_id, run_id)
);
CREATE INDEX sweep_runs_run ON sweep_runs(run_id);
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  step   INTEGER NOT NULL,
  key    TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, step, key)
) WITHOUT ROWID;
CREATE INDEX metrics_key ON metrics(run_id, key, step);
CREATE TABLE evaluations (
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs(id),
  checkpoint_step INTEGER NOT NULL,
  weights         TEXT NOT NULL CHECK (weights IN ('ema','raw')),
  setting         TEXT NOT NULL,
  steps           INTEGER NOT NULL,
  cfg             REAL NOT NULL,
  metric          TEXT NOT NULL,
  value           REAL,
  n               INTEGER NOT NULL,
  feature_space   TEXT NOT NULL DEFAULT '',
  evaluator_hash  TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  UNIQUE (run_id, checkpoint_step, weights, setting, steps, cfg, metric, feature_space, evaluator_hash)
);
CREATE INDEX evaluations_run ON evaluations(run_id);
CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id),
  path       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  kind       TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  UNIQUE (run_id, path)
);
CREATE INDEX artifacts_run ON artifacts(run_id);
)sql",
      // 2: canaries. A run's identity becomes (config_hash, code_version): code_version is '' for
      // a run that any commit may reuse (train, sweeps), and the code it measures for a canary
      // run (results/canary.h). SQLite cannot drop the column's UNIQUE in place, so runs is
      // rebuilt with the same ids (foreign keys are not enforced during migrations).
      R"sql(
CREATE TABLE runs_v2 (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER REFERENCES sweeps(id),
  config_json      TEXT NOT NULL,
  config_hash      TEXT NOT NULL,
  code_version     TEXT NOT NULL DEFAULT '',
  seed             INTEGER NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending','running','done','failed','diverged')),
  error            TEXT NOT NULL DEFAULT '',
  git_commit       TEXT NOT NULL DEFAULT '',
  git_dirty        INTEGER NOT NULL DEFAULT 0,
  host             TEXT NOT NULL DEFAULT '',
  libtorch_version TEXT NOT NULL DEFAULT '',
  blas             TEXT NOT NULL DEFAULT '',
  device           TEXT NOT NULL DEFAULT '',
  threads          INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  started_at       TEXT,
  ended_at         TEXT,
  UNIQUE (config_hash, code_version)
);
INSERT INTO runs_v2(id, sweep_id, config_json, config_hash, seed, status, error, git_commit, git_dirty,
                    host, libtorch_version, blas, device, threads, created_at, started_at, ended_at)
SELECT id, sweep_id, config_json, config_hash, seed, status, error, git_commit, git_dirty,
       host, libtorch_version, blas, device, threads, created_at, started_at, ended_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
CREATE INDEX runs_sweep ON runs(sweep_id);
CREATE TABLE canaries (
  id             INTEGER PRIMARY KEY,
  suite          TEXT NOT NULL,
  suite_file     TEXT NOT NULL,
  suite_hash     TEXT NOT NULL,
  code_version   TEXT NOT NULL,
  git_commit     TEXT NOT NULL,
  git_dirty      INTEGER NOT NULL,
  commit_time    INTEGER NOT NULL DEFAULT 0,
  commit_subject TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
  created_at     TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  ended_at       TEXT,
  UNIQUE (suite, suite_hash, code_version)
);
CREATE TABLE canary_runs (
  canary_id INTEGER NOT NULL REFERENCES canaries(id),
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  PRIMARY KEY (canary_id, run_id)
);
)sql",
      // 3: where a study's time goes (results/phase_timing.h). Rows of one process invocation
      // share `invocation`; (invocation, seq) identifies a row, so a shard merges idempotently.
      R"sql(
CREATE TABLE phase_timings (
  id         INTEGER PRIMARY KEY,
  invocation TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  command    TEXT NOT NULL,
  sweep_id   INTEGER REFERENCES sweeps(id),
  run_id     INTEGER REFERENCES runs(id),
  phase      TEXT NOT NULL,
  seconds    REAL NOT NULL CHECK (seconds >= 0),
  created_at TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(,
  UNIQUE (invocation, seq)
);
CREATE INDEX phase_timings_sweep ON phase_timings(sweep_id);
CREATE INDEX phase_timings_run ON phase_timings(run_id);
)sql",
      // 4: the machine each invocation ran on, as its sgemm rate (results/phase_timing.h); one
      // row per invocation, found through that invocation's phase timings.
      R"sql(
CREATE TABLE machine_rates (
  id           INTEGER PRIMARY KEY,
  invocation   TEXT NOT NULL UNIQUE,
  command      TEXT NOT NULL,
  sgemm_gflops REAL NOT NULL CHECK (sgemm_gflops > 0),
  blas_threads INTEGER NOT NULL CHECK (blas_threads >= 0),
  blas_kernels TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT )sql" RFLAB_NOW R"sql(
);
)sql",
  };
  return list;
}

#undef RFLAB_NOW

int code_schema_version() { return static_cast<int>(migrations().size()); }

int read_schema_version(Database& db) {
  auto st = db.prepare("PRAGMA user_version", "read schema version");
  st.step();
  return static_cast<int>(st.column_int(0));
}

namespace {
void refuse_newer(const Database& db, int found) {
  const int code = code_schema_version();
  if (found > code)
    throw UserError(db.path() + ": schema_version " + std::to_string(found) +
                    " is newer than this build of rflab understands (" + std::to_string(code) +
                    "); use a newer rflab to read or write this database");
}
}  // namespace

void refuse_newer_schema(Database& db) { refuse_newer(db, read_schema_version(db)); }

void apply_migrations(Database& db) {
  const int code = code_schema_version();
  int version = read_schema_version(db);
  refuse_newer(db, version);
  while (version < code) {
    const std::string purpose = "migrate schema to version " + std::to_string(version + 1);
    db.exec("BEGIN IMMEDIATE", purpose);
    try {
      // Another process may have migrated while this one waited for the lock.
      version = read_schema_version(db);
      refuse_newer(db, version);
      if (version < code) {
        db.exec(migrations()[static_cast<size_t>(version)], purpose);
        db.exec("PRAGMA user_version = " + std::to_string(version + 1), purpose);
      }
      db.exec("COMMIT", purpose);
    } catch (...) {
      try { db.exec("ROLLBACK", purpose); } catch (...) {}
      throw;
    }
    version = read_schema_version(db);
  }
}

}  // namespace rflab::results
