#include "results/canary.h"

#include <stdexcept>

#include "results/sqlite_db.h"
#include "results/store.h"

namespace rflab::results {

std::string code_version(const std::string& commit, bool dirty, const std::string& changes_hash) {
  if (!dirty) return commit;
  return commit + "+dirty." + changes_hash.substr(0, 12);
}

std::string to_string(CanaryStatus s) {
  switch (s) {
    case CanaryStatus::running: return "running";
    case CanaryStatus::done: return "done";
    case CanaryStatus::failed: return "failed";
  }
  throw std::logic_error("to_string: CanaryStatus out of range");
}

namespace {
CanaryStatus canary_status_from_string(const std::string& s) {
  for (auto v : {CanaryStatus::running, CanaryStatus::done, CanaryStatus::failed})
    if (to_string(v) == s) return v;
  throw std::logic_error("canary status: unknown '" + s + "' in the database");
}
}  // namespace

int64_t Store::register_canary(const CanaryRecord& c) {
  const std::string purpose = "register canary " + c.suite + " at " + c.code_version;
  int64_t id = 0;
  with_write(purpose, [&] {
    db_->prepare("INSERT INTO canaries(suite, suite_file, suite_hash, code_version, git_commit, git_dirty, "
                 "commit_time, commit_subject) VALUES (?,?,?,?,?,?,?,?) "
                 "ON CONFLICT(suite, suite_hash, code_version) DO NOTHING",
                 purpose)
        .bind(1, c.suite).bind(2, c.suite_file).bind(3, c.suite_hash).bind(4, c.code_version)
        .bind(5, c.git_commit).bind(6, int64_t(c.git_dirty)).bind(7, c.commit_time).bind(8, c.commit_subject)
        .run();
    auto st = db_->prepare("SELECT id FROM canaries WHERE suite = ? AND suite_hash = ? AND code_version = ?",
                           purpose);
    st.bind(1, c.suite).bind(2, c.suite_hash).bind(3, c.code_version);
    if (!st.step()) throw std::logic_error("register_canary: inserted row not found");
    id = st.column_int(0);
  });
  return id;
}

void Store::link_canary_run(int64_t canary_id, int64_t run_id) {
  const std::string purpose = "link run " + std::to_string(run_id) + " to canary " + std::to_string(canary_id);
  with_write(purpose, [&] {
    db_->prepare("INSERT OR IGNORE INTO canary_runs(canary_id, run_id) VALUES (?, ?)", purpose)
        .bind(1, canary_id).bind(2, run_id).run();
  });
}

void Store::set_canary_status(int64_t canary_id, CanaryStatus status) {
  const std::string purpose = "set status of canary " + std::to_string(canary_id) + " to " + to_string(status);
  with_write(purpose, [&] {
    db_->prepare(status == CanaryStatus::running
                     ? "UPDATE canaries SET status = ?, ended_at = NULL WHERE id = ?"
                     : "UPDATE canaries SET status = ?, ended_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
                 purpose)
        .bind(1, to_string(status)).bind(2, canary_id).run();
    if (db_->changes() != 1) throw std::out_of_range(path() + ": " + purpose + ": canary does not exist");
  });
}

std::vector<CanaryRow> Store::canaries() const {
  auto st = db_->prepare("SELECT id, suite, suite_file, suite_hash, code_version, git_commit, git_dirty, "
                         "commit_time, commit_subject, status, created_at, ended_at FROM canaries ORDER BY id",
                         "read canaries");
  std::vector<CanaryRow> out;
  while (st.step()) {
    CanaryRow c;
    c.id = st.column_int(0);
    c.record.suite = st.column_text(1);
    c.record.suite_file = st.column_text(2);
    c.record.suite_hash = st.column_text(3);
    c.record.code_version = st.column_text(4);
    c.record.git_commit = st.column_text(5);
    c.record.git_dirty = st.column_int(6) != 0;
    c.record.commit_time = st.column_int(7);
    c.record.commit_subject = st.column_text(8);
    c.status = canary_status_from_string(st.column_text(9));
    c.created_at = st.column_text(10);
    c.ended_at = st.column_text(11);
    out.push_back(std::move(c));
  }
  auto links = db_->prepare("SELECT run_id FROM canary_runs WHERE canary_id = ? ORDER BY rowid", "read canary runs");
  for (auto& c : out) {
    links.reset();
    links.bind(1, c.id);
    while (links.step()) c.run_ids.push_back(links.column_int(0));
  }
  return out;
}

}  // namespace rflab::results
