// A canary: one run of a small, deterministic suite (a sweep file, sweeps/canary.json) at one
// commit, whose figures `rflab regress` compares across commits. Its runs are pinned to the code
// they measure: their code_version (results/store.h) is the commit, with "+dirty.<hash of the
// uncommitted changes>" for a dirty tree, so every commit trains its own runs and a second
// canary of the same commit (and the same changes) reuses the stored ones. The Store reads and
// writes them (register_canary, canaries).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rflab::results {

// The code_version of a checkout at `commit`: the SHA, or SHA+dirty.<12 hex> of its changes.
std::string code_version(const std::string& commit, bool dirty, const std::string& changes_hash);

enum class CanaryStatus { running, done, failed };
std::string to_string(CanaryStatus s);

struct CanaryRecord {
  std::string suite;       // the suite's name
  std::string suite_file;  // as given, for messages
  std::string suite_hash;  // content hash of the suite file
  std::string code_version;
  std::string git_commit;
  bool git_dirty = false;
  int64_t commit_time = 0;  // committer time (Unix seconds), for ordering without the checkout
  std::string commit_subject;
};

struct CanaryRow {
  int64_t id = 0;
  CanaryRecord record;
  CanaryStatus status = CanaryStatus::running;
  std::string created_at, ended_at;
  std::vector<int64_t> run_ids;  // in the suite's expansion order
};

}  // namespace rflab::results
