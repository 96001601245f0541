// Folding per-run database shards (written by Slurm array tasks, one SQLite file each because
// SQLite must not be shared over NFS) into the main results database. Idempotent: runs are
// matched by config hash, sweeps by (name, content hash), metrics, evaluations and artifacts by
// their unique keys, so merging the same shard twice changes nothing.
#pragma once
#include <cstdint>
#include <string>

namespace rflab::results {

// What one merge changed in the main database; all zero for a shard merged before.
struct MergeReport {
  int64_t sweeps_added = 0;
  int64_t runs_added = 0;
  int64_t runs_updated = 0;  // status, error, provenance or times taken from the shard
  int64_t links_added = 0;   // (sweep, run) memberships
  int64_t metric_rows = 0;   // inserted or changed
  int64_t evaluation_rows = 0;
  int64_t artifact_rows = 0;
  int64_t timing_rows = 0;   // phase timings and machine rates added

  int64_t total() const {
    return sweeps_added + runs_added + runs_updated + links_added + metric_rows + evaluation_rows + artifact_rows +
           timing_rows;
  }
};

// Merges `shard_path` into `main_path` (created if missing) in one IMMEDIATE transaction.
// A run present in both keeps the row whose status is further along
// (pending < running < failed < diverged < done), ties going to the later end time; metric,
// evaluation and artifact rows are upserted (the shard's value wins for an equal key).
// Throws UserError if the shard is missing, is the main database itself, or is not an rflab
// database.
MergeReport merge_shard(const std::string& main_path, const std::string& shard_path);

}  // namespace rflab::results
