// `rflab sweep slurm` and `rflab results merge` without a cluster: the script's array lists
// exactly the pending runs with the sweep's resources, and shards written by `sweep run-one`
// fold into the main database once, a second merge changing nothing.
#include <gtest/gtest.h>

#include "results/store.h"
#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

nlohmann::json three_runs() {
  auto doc = tiny_sweep("trio", tiny_base(4, 2, 2), {{{"key", "formulation"}, {"values", {"rf", "eps/linear", "v/cos"}}}});
  doc["resources"] = {{"partition", "cpu"}, {"time", "00:10:00"}, {"cpus", 2}, {"mem", "2G"}};
  return doc;
}

TEST(SweepSlurmScript, OneArrayTaskPerPendingRunWithTheSweepsResources) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("main.db"), runs = tmp.path("runs");
  write_file(file, three_runs().dump());
  // Run #1 first, so that only #0 and #2 are pending.
  ASSERT_EQ(rflab({"sweep", "run-one", file, "--index", "1", "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path()).code, 0);
  const Result r = rflab({"sweep", "slurm", file, "--out", tmp.path("job.sbatch"), "--shard-dir", tmp.path("shards"),
                          "--db", db, "--out-root", runs}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string script = read_file(tmp.path("job.sbatch"));
  EXPECT_NE(script.find("#SBATCH --array=0,2\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --partition=cpu\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --time=00:10:00\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --cpus-per-task=2\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --mem=2G\n"), std::string::npos) << script;
  EXPECT_EQ(script.find("--gres"), std::string::npos) << "no GPU asked for: " << script;
  EXPECT_NE(script.find("--index \"$SLURM_ARRAY_TASK_ID\""), std::string::npos) << script;
  EXPECT_NE(script.find(tmp.path("shards") + "'/run-\"$SLURM_ARRAY_TASK_ID\".db"), std::string::npos) << script;
  EXPECT_NE(fs::status(tmp.path("job.sbatch")).permissions() & fs::perms::owner_exec, fs::perms::none);
}

TEST(SweepSlurmScript, AGpuSweepAsksForOneGpuPerArrayTask) {
  TempDir tmp;
  const std::string file = tmp.path("s.json");
  auto doc = three_runs();
  doc["resources"]["gpus"] = 1;
  write_file(file, doc.dump());
  const Result r = rflab({"sweep", "slurm", file, "--out", tmp.path("job.sbatch"), "--shard-dir", tmp.path("shards"),
                          "--db", tmp.path("main.db"), "--out-root", tmp.path("runs")}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string script = read_file(tmp.path("job.sbatch"));
  EXPECT_NE(script.find("#SBATCH --gres=gpu:1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --array=0-2\n"), std::string::npos) << script;
}

TEST(SweepSlurmScript, ShardsMergeIntoTheMainDatabaseIdempotently) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("main.db"), runs = tmp.path("runs");
  write_file(file, three_runs().dump());
  std::vector<std::string> shards;
  for (int i = 0; i < 2; ++i) {
    shards.push_back(tmp.path("shards/run-" + std::to_string(i) + ".db"));
    const Result r = rflab({"sweep", "run-one", file, "--index", std::to_string(i), "--db", shards.back(), "--out-root",
                            runs, "--cache", conditioner_cache()}, tmp.path());
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::vector<std::string> args{"results", "merge", db};
  args.insert(args.end(), shards.begin(), shards.end());
  const Result first = rflab(args, tmp.path());
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("2 run(s) added"), std::string::npos) << first.out;
  const Result second = rflab(args, tmp.path());
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.out.find("0 run(s) added, 0 updated, 0 metric row(s)"), std::string::npos) << second.out;

  results::Store s(db);
  ASSERT_EQ(s.sweeps().size(), 1u);
  EXPECT_EQ(s.runs_of_sweep(s.sweeps()[0].id).size(), 2u);
  for (const auto& row : s.runs()) {
    EXPECT_EQ(row.status, results::RunStatus::done);
    EXPECT_EQ(s.metrics(row.id, "train/loss").size(), 4u);
  }
  const Result plan = rflab({"sweep", "plan", file, "--db", db, "--out-root", runs}, tmp.path());
  EXPECT_NE(plan.out.find("done 2, fresh 1"), std::string::npos) << plan.out;
  // The merged database drives the next script: only the run no shard finished is left.
  const Result next = rflab({"sweep", "slurm", file, "--out", tmp.path("job.sbatch"), "--shard-dir",
                             tmp.path("shards2"), "--db", db, "--out-root", runs}, tmp.path());
  ASSERT_EQ(next.code, 0) << next.err;
  EXPECT_NE(read_file(tmp.path("job.sbatch")).find("#SBATCH --array=2\n"), std::string::npos);
}

TEST(SweepSlurmScript, MergeUsageErrorsExit2AndBadShardExits1) {
  TempDir tmp;
  EXPECT_EQ(rflab({"results", "merge", tmp.path("main.db")}, tmp.path()).code, 2);
  const Result r = rflab({"results", "merge", tmp.path("main.db"), tmp.path("absent.db")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("absent.db"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rflab::e2e
