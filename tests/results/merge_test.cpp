// Folding shards into the main database: runs matched by config hash, rows by their keys, and a
// second merge of the same shard changes nothing.
#include "results/merge.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "results/error.h"
#include "results/store.h"
#include "tests/results/store_test_util.h"

namespace rflab::results {
namespace {

RunRecord shard_run(const std::string& hash, std::optional<int64_t> sweep = std::nullopt) {
  RunRecord r;
  r.config_json = "{\"h\":\"" + hash + "\"}";
  r.config_hash = hash;
  r.seed = 7;
  r.provenance.host = "node-" + hash;
  r.sweep_id = sweep;
  return r;
}

// A shard as a Slurm task leaves it: the sweep, one finished run with metrics, an evaluation
// and an artifact.
void write_shard(const std::string& path, const std::string& hash, double loss) {
  Store s(path);
  const int64_t sweep = s.register_sweep("tiny", "sweeps/tiny.json", "sweephash");
  const int64_t id = s.register_run(shard_run(hash, sweep));
  s.set_status(id, RunStatus::running);
  for (int step = 1; step <= 4; ++step) s.append_metrics(id, step, {{"train/loss", loss / step}, {"lr", 1e-3}});
  s.append_metrics(id, 4, {{"val/loss", std::nan("")}});
  s.add_evaluation({id, 4, "ema", "S1", 50, 1.0, "fid", 12.5, 100, "inception", "evh"});
  s.add_artifact({id, "runs/" + hash + "/checkpoint.safetensors", "abc", "checkpoint"});
  PhaseClock clock("sweep run-one");
  clock.add(Phase::training, 2.5, id);
  clock.set_machine_rate(55.5, 2, "Haswell");
  s.add_phase_timings(clock.rows(sweep), clock.machine_rate());  // the run's training, the rest, the rate
  s.set_status(id, RunStatus::done);
}

TEST(Merge, CopiesRunsWithTheirRowsAndSweep) {
  testing::TempDir tmp;
  write_shard(tmp.path("a.db"), "hashA", 1.0);
  const MergeReport r = merge_shard(tmp.path("main.db"), tmp.path("a.db"));
  EXPECT_EQ(r.sweeps_added, 1);
  EXPECT_EQ(r.runs_added, 1);
  EXPECT_EQ(r.links_added, 1);
  EXPECT_EQ(r.metric_rows, 9);
  EXPECT_EQ(r.evaluation_rows, 1);
  EXPECT_EQ(r.artifact_rows, 1);
  EXPECT_EQ(r.timing_rows, 3);  // two phase rows and the invocation's machine rate

  Store m(tmp.path("main.db"));
  auto run = m.find_run("hashA");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::done);
  EXPECT_EQ(run->record.provenance.host, "node-hashA");
  EXPECT_FALSE(run->ended_at.empty());
  ASSERT_EQ(m.sweeps().size(), 1u);
  EXPECT_EQ(m.runs_of_sweep(m.sweeps()[0].id).size(), 1u);
  auto loss = m.metrics(run->id, "train/loss");
  ASSERT_EQ(loss.size(), 4u);
  EXPECT_DOUBLE_EQ(loss[1].value, 0.5);
  EXPECT_TRUE(std::isnan(m.metrics(run->id, "val/loss").at(0).value));
  ASSERT_EQ(m.evaluations(run->id).size(), 1u);
  EXPECT_DOUBLE_EQ(m.evaluations(run->id)[0].value, 12.5);
  EXPECT_EQ(m.artifacts(run->id).at(0).sha256, "abc");
  const auto timings = m.phase_timings_of_sweep(m.sweeps()[0].id);
  ASSERT_EQ(timings.size(), 2u);
  EXPECT_EQ(timings[0].phase, Phase::training);
  EXPECT_EQ(timings[0].run_id, run->id);  // the main database's id of the run
  EXPECT_DOUBLE_EQ(timings[0].seconds, 2.5);
  EXPECT_EQ(timings[1].phase, Phase::other);
  EXPECT_EQ(timings[1].sweep_id, m.sweeps()[0].id);
  const auto rates = m.machine_rates_of_sweep(m.sweeps()[0].id);
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].invocation, timings[0].invocation);
  EXPECT_DOUBLE_EQ(rates[0].sgemm_gflops, 55.5);
  EXPECT_EQ(rates[0].blas_kernels, "Haswell");
}

TEST(Merge, SecondMergeChangesNothing) {
  testing::TempDir tmp;
  write_shard(tmp.path("a.db"), "hashA", 1.0);
  merge_shard(tmp.path("main.db"), tmp.path("a.db"));
  const MergeReport again = merge_shard(tmp.path("main.db"), tmp.path("a.db"));
  EXPECT_EQ(again.total(), 0);
  Store m(tmp.path("main.db"));
  EXPECT_EQ(m.runs().size(), 1u);
  EXPECT_EQ(m.metrics(m.runs()[0].id).size(), 9u);
}

TEST(Merge, ShardsOfOneSweepShareItsRowAndGetFreshRunIds) {
  testing::TempDir tmp;
  write_shard(tmp.path("a.db"), "hashA", 1.0);
  write_shard(tmp.path("b.db"), "hashB", 2.0);
  {
    Store m(tmp.path("main.db"));  // an unrelated run occupies id 1 in main
    m.register_run(shard_run("other"));
  }
  merge_shard(tmp.path("main.db"), tmp.path("a.db"));
  const MergeReport rb = merge_shard(tmp.path("main.db"), tmp.path("b.db"));
  EXPECT_EQ(rb.sweeps_added, 0);
  Store m(tmp.path("main.db"));
  ASSERT_EQ(m.sweeps().size(), 1u);
  EXPECT_EQ(m.runs_of_sweep(m.sweeps()[0].id).size(), 2u);
  auto b = m.find_run("hashB");
  ASSERT_TRUE(b);
  EXPECT_NE(b->id, 1);
  // Both shards had run id 1; each run's rows must land on its own main id.
  EXPECT_DOUBLE_EQ(m.metrics(b->id, "train/loss").at(0).value, 2.0);
  EXPECT_DOUBLE_EQ(m.metrics(m.find_run("hashA")->id, "train/loss").at(0).value, 1.0);
  EXPECT_TRUE(m.metrics(m.find_run("other")->id).empty());
}

TEST(Merge, FinishedShardRunReplacesPendingMainRow) {
  testing::TempDir tmp;
  {
    Store m(tmp.path("main.db"));
    m.register_run(shard_run("hashA"));  // registered by `sweep slurm`, still pending
  }
  write_shard(tmp.path("a.db"), "hashA", 1.0);
  const MergeReport r = merge_shard(tmp.path("main.db"), tmp.path("a.db"));
  EXPECT_EQ(r.runs_added, 0);
  EXPECT_EQ(r.runs_updated, 1);
  Store m(tmp.path("main.db"));
  EXPECT_EQ(m.find_run("hashA")->status, RunStatus::done);
}

TEST(Merge, DoneMainRowIsNotDowngradedByAPendingShard) {
  testing::TempDir tmp;
  write_shard(tmp.path("main.db"), "hashA", 1.0);
  {
    Store s(tmp.path("stale.db"));
    s.register_run(shard_run("hashA"));
  }
  const MergeReport r = merge_shard(tmp.path("main.db"), tmp.path("stale.db"));
  EXPECT_EQ(r.runs_updated, 0);
  Store m(tmp.path("main.db"));
  EXPECT_EQ(m.find_run("hashA")->status, RunStatus::done);
}

TEST(Merge, RejectsMissingSelfAndForeignFiles) {
  testing::TempDir tmp;
  write_shard(tmp.path("main.db"), "hashA", 1.0);
  EXPECT_THROW(merge_shard(tmp.path("main.db"), tmp.path("absent.db")), UserError);
  EXPECT_THROW(merge_shard(tmp.path("main.db"), tmp.path("main.db")), UserError);
  std::ofstream(tmp.path("junk.db")) << "not a database at all, just some text that is long enough";
  EXPECT_THROW(merge_shard(tmp.path("main.db"), tmp.path("junk.db")), UserError);
  Store m(tmp.path("main.db"));
  EXPECT_EQ(m.runs().size(), 1u);
}

}  // namespace
}  // namespace rflab::results
