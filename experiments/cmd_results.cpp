// rflab results merge: fold per-task database shards (Slurm arrays) into the main database.
#include <fmt/format.h>

#include <iostream>

#include "experiments/command.h"
#include "results/error.h"
#include "results/merge.h"

namespace rflab::experiments {
namespace {

int merge_cmd(Args& args) {
  args.finish();
  auto pos = args.positional();
  if (pos.size() < 2) throw UsageError("expected MAIN.db and at least one SHARD.db");
  results::MergeReport sum;
  for (size_t i = 1; i < pos.size(); ++i) {
    const auto r = results::merge_shard(pos[0], pos[i]);
    std::cout << fmt::format("{}: {} run(s) added, {} updated, {} sweep(s), {} metric, {} evaluation, {} artifact, {} timing row(s)\n",
                             pos[i], r.runs_added, r.runs_updated, r.sweeps_added, r.metric_rows, r.evaluation_rows,
                             r.artifact_rows, r.timing_rows);
    sum.runs_added += r.runs_added;
    sum.runs_updated += r.runs_updated;
    sum.metric_rows += r.metric_rows;
  }
  std::cout << fmt::format("merged {} shard(s) into {}: {} run(s) added, {} updated, {} metric row(s)\n",
                           pos.size() - 1, pos[0], sum.runs_added, sum.runs_updated, sum.metric_rows);
  return 0;
}

RFLAB_COMMAND(Command{
    "results merge", "fold database shards (e.g. of Slurm array tasks) into the main database",
    "usage: rflab results merge MAIN.db SHARD.db...\n\n"
    "Copies every run of each shard into MAIN.db (created if missing), matching runs by config\n"
    "hash and metrics, evaluations and artifacts by their keys, so merging a shard twice changes\n"
    "nothing. A run in both keeps the row further along (pending < running < failed < diverged\n"
    "< done). Each shard is merged in one transaction.",
    merge_cmd});

}  // namespace
}  // namespace rflab::experiments
