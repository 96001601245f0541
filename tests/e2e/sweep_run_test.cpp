// `rflab sweep run` end to end on tiny sweeps: a pool of workers writing one database at once,
// failure isolation, resume after kill -9 of a worker, and a clean stop on SIGTERM.
#include <gtest/gtest.h>

#include "results/store.h"
#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

using results::RunStatus;
using results::Store;

std::vector<int64_t> steps_of(const Store& s, int64_t run, const std::string& key) {
  std::vector<int64_t> out;
  for (const auto& m : s.metrics(run, key)) out.push_back(m.step);
  return out;
}

std::vector<int64_t> iota(int64_t from, int64_t to, int64_t by = 1) {
  std::vector<int64_t> out;
  for (int64_t i = from; i <= to; i += by) out.push_back(i);
  return out;
}

// The out dirs under `root` that hold a checkpoint.
std::vector<fs::path> checkpoints(const std::string& root) {
  std::vector<fs::path> out;
  if (!fs::exists(root)) return out;
  for (const auto& d : fs::directory_iterator(root))
    if (fs::exists(d.path() / "checkpoint.safetensors")) out.push_back(d.path() / "checkpoint.safetensors");
  return out;
}

std::string all_worker_logs(const std::string& root) {
  std::string all;
  for (const auto& d : fs::directory_iterator(root)) all += read_file(d.path() / "worker.log");
  return all;
}

TEST(SweepRun, WithGpusEachWorkerSeesOnlyItsOwnGpuAndTheGpusAreSharedOut) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("r.db"), runs = tmp.path("runs");
  write_file(file, tiny_sweep("gpus", tiny_base(3, 3, 3),
                              {{{"key", "formulation"}, {"values", {"rf", "eps/linear", "v/cos"}}}}).dump());
  // Two GPU slots for three runs: the third starts on whichever slot is freed first. The runs are
  // on the CPU, so they train here whatever the variable says.
  const Result r = rflab({"sweep", "run", file, "--gpus", "5,GPU-6a", "--db", db, "--out-root", runs, "--cache",
                          conditioner_cache()}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("2 jobs"), std::string::npos) << r.err;
  int on5 = 0, on6 = 0;
  for (const auto& d : fs::directory_iterator(runs)) {
    const std::string log = read_file(d.path() / "worker.log");
    const bool five = log.find("(CUDA_VISIBLE_DEVICES=5)") != std::string::npos;
    const bool six = log.find("(CUDA_VISIBLE_DEVICES=GPU-6a)") != std::string::npos;
    EXPECT_NE(five, six) << log;
    on5 += five;
    on6 += six;
  }
  EXPECT_GE(on5, 1);
  EXPECT_GE(on6, 1);
  EXPECT_EQ(on5 + on6, 3);
}

TEST(SweepRun, MalformedGpuListsAreRefusedBeforeAnyRun) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("r.db");
  write_file(file, tiny_sweep("gpus", tiny_base(3, 3, 3), {{{"key", "formulation"}, {"values", {"rf"}}}}).dump());
  for (const auto& [list, message] : std::vector<std::pair<std::string, std::string>>{
           {"0,,1", "--gpus: expected comma-separated GPU indices or UUIDs, got '0,,1'"},
           {"1,1", "--gpus: expected each GPU once, got '1,1' ('1' twice)"},
           {"0;rm", "--gpus: expected comma-separated GPU indices or UUIDs"}}) {
    const Result r = rflab({"sweep", "run", file, "--gpus", list, "--db", db, "--out-root", tmp.path("runs"), "--cache",
                            conditioner_cache()}, tmp.path());
    EXPECT_EQ(r.code, 1) << list;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp.path("runs"))) << list;
  }
}

TEST(SweepRun, PoolOfThreeWritesEveryRowOfEveryRunToOneDatabase) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("r.db"), runs = tmp.path("runs");
  write_file(file, tiny_sweep("pool", tiny_base(6, 3, 3),
                              {{{"key", "formulation"}, {"values", {"rf", "eps/linear", "v/cos"}}}}).dump());
  const Result r = rflab({"sweep", "run", file, "--jobs", "3", "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  {
    Store s(db);
    ASSERT_EQ(s.sweeps().size(), 1u);
    const auto rows = s.runs_of_sweep(s.sweeps()[0].id);
    ASSERT_EQ(rows.size(), 3u);
    for (const auto& row : rows) {
      EXPECT_EQ(row.status, RunStatus::done) << row.error;
      EXPECT_EQ(steps_of(s, row.id, "train/loss"), iota(1, 6)) << row.record.config_hash;
      EXPECT_EQ(steps_of(s, row.id, "val/native"), iota(3, 6, 3)) << row.record.config_hash;
    }
    // The pool and each worker stored the machine's sgemm rate beside their phase timings.
    const auto rates = s.machine_rates_of_sweep(s.sweeps()[0].id);
    ASSERT_EQ(rates.size(), 4u);
    int workers = 0;
    for (const auto& rate : rates) {
      EXPECT_GT(rate.sgemm_gflops, 0.0);
      workers += rate.command == "sweep run-one";
    }
    EXPECT_EQ(workers, 3);
  }
  const std::string logs = all_worker_logs(runs) + r.err;
  EXPECT_EQ(logs.find("database is locked"), std::string::npos) << logs;

  // A second run of the sweep has nothing to do; plan and status say so.
  const Result again = rflab({"sweep", "run", file, "--jobs", "3", "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path());
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.err.find("3 done, 0 to run"), std::string::npos) << again.err;
  const Result plan = rflab({"sweep", "plan", file, "--db", db, "--out-root", runs}, tmp.path());
  EXPECT_NE(plan.out.find("done 3, fresh 0, resume 0, failed 0, diverged 0"), std::string::npos) << plan.out;
  const Result status = rflab({"sweep", "status", file, "--db", db, "--out-root", runs}, tmp.path());
  EXPECT_NE(status.out.find("3 runs: 3 done, 0 running, 0 failed, 0 diverged, 0 pending"), std::string::npos)
      << status.out;
}

TEST(SweepRun, FailingRunIsMarkedFailedAndTheSweepGoesOn) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("r.db"), runs = tmp.path("runs");
  // A dataset folder whose files are there but not Fashion-MNIST: it passes the check before the
  // sweep starts (the files exist) and fails its run's worker when read. A missing folder would
  // refuse the whole sweep before anything is written.
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz"})
    write_file(tmp.path(std::string("broken-dataset/") + f), "not gzip data");
  write_file(file, tiny_sweep("iso", tiny_base(6, 3, 3),
                              {{{"key", "data.root"}, {"values", {tmp.path("broken-dataset"), "/usr/share/datasets/fashion-mnist"}}}})
                       .dump());
  const Result r = rflab({"sweep", "run", file, "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path());
  EXPECT_EQ(r.code, 1) << r.err;
  Store s(db);
  const auto rows = s.runs();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status, RunStatus::failed);
  EXPECT_NE(rows[0].error.find("broken-dataset"), std::string::npos) << rows[0].error;
  EXPECT_EQ(rows[1].status, RunStatus::done) << rows[1].error;
  const Result plan = rflab({"sweep", "plan", file, "--db", db, "--out-root", runs, "--skip-failed"}, tmp.path());
  EXPECT_NE(plan.out.find("done 1, fresh 0, resume 0, failed 1"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("would run 0"), std::string::npos) << plan.out;
}

constexpr int kLongSteps = 40;

nlohmann::json long_sweep() {
  return tiny_sweep("long", tiny_base(kLongSteps, 5, 20), {{{"key", "formulation"}, {"values", {"rf"}}}});
}

// Starts `sweep run`, waits for the worker's first checkpoint, then hands the parent's pid and
// its worker's pid to `interrupt`.
template <class F>
Result run_and_interrupt(const std::string& file, const std::string& db, const std::string& runs,
                         const std::string& dir, F&& interrupt) {
  Process p({"sweep", "run", file, "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, dir);
  EXPECT_TRUE(wait_until([&] { return !checkpoints(runs).empty(); })) << "no checkpoint appeared";
  std::vector<pid_t> kids;
  EXPECT_TRUE(wait_until([&] { return !(kids = child_pids(p.pid())).empty(); }, 5));
  interrupt(p.pid(), kids.empty() ? -1 : kids[0]);
  return p.wait();
}

TEST(SweepRun, ResumeAfterKill9EndsAsAnUninterruptedRun) {
  TempDir tmp;
  const std::string file = tmp.path("s.json");
  write_file(file, long_sweep().dump());
  // Reference: the same sweep, uninterrupted, in its own database and out root.
  ASSERT_EQ(rflab({"sweep", "run", file, "--db", tmp.path("ref.db"), "--out-root", tmp.path("ref"), "--cache", conditioner_cache()}, tmp.path()).code, 0);

  const std::string db = tmp.path("r.db"), runs = tmp.path("runs");
  const Result killed = run_and_interrupt(file, db, runs, tmp.path(), [](pid_t, pid_t worker) {
    ASSERT_GT(worker, 0);
    ::kill(worker, SIGKILL);
  });
  ASSERT_EQ(killed.code, 1) << "the run finished before the kill landed; raise kLongSteps\n" << killed.err;
  {
    Store s(db);
    const auto row = s.runs().at(0);
    EXPECT_EQ(row.status, RunStatus::failed);
    EXPECT_NE(row.error.find("signal 9"), std::string::npos) << row.error;
  }
  const Result plan = rflab({"sweep", "plan", file, "--db", db, "--out-root", runs}, tmp.path());
  EXPECT_NE(plan.out.find("failed 1"), std::string::npos) << plan.out;

  const Result resumed = rflab({"sweep", "run", file, "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path());
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(all_worker_logs(runs).find("resuming from step"), std::string::npos);

  Store s(db), ref(tmp.path("ref.db"));
  const auto row = s.runs().at(0), ref_row = ref.runs().at(0);
  EXPECT_EQ(row.status, RunStatus::done);
  EXPECT_EQ(row.record.config_hash, ref_row.record.config_hash);
  // No lost and no duplicated row, and every figure as in the uninterrupted run.
  for (const std::string key : {"train/loss", "val/native"}) {
    const auto got = s.metrics(row.id, key), want = ref.metrics(ref_row.id, key);
    ASSERT_EQ(got.size(), want.size()) << key;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].step, want[i].step) << key;
      EXPECT_EQ(got[i].value, want[i].value) << key << " at step " << got[i].step;
    }
  }
  EXPECT_EQ(steps_of(s, row.id, "train/loss"), iota(1, kLongSteps));
  const auto got = safetensors_tensors(checkpoints(runs).at(0).string());
  const auto want = safetensors_tensors(checkpoints(tmp.path("ref")).at(0).string());
  ASSERT_FALSE(want.empty());
  size_t model_tensors = 0;
  // Every weight tensor, live and EMA. The "optimizer" entry is a libtorch archive whose bytes are
  // not canonical; the optimizer state is checked through the identical losses after the resume.
  for (const auto& [name, bytes] : want) {
    if (name == "optimizer") continue;
    model_tensors += name.rfind("model.", 0) == 0;
    ASSERT_TRUE(got.count(name)) << name;
    EXPECT_TRUE(got.at(name) == bytes) << name << " differs from the uninterrupted run";
  }
  EXPECT_GT(model_tensors, 0u);
  EXPECT_EQ(got.size(), want.size());
}

TEST(SweepRun, SigtermCheckpointsStopsAndTheNextRunResumes) {
  TempDir tmp;
  const std::string file = tmp.path("s.json"), db = tmp.path("r.db"), runs = tmp.path("runs");
  write_file(file, long_sweep().dump());
  const Result stopped = run_and_interrupt(file, db, runs, tmp.path(), [](pid_t parent, pid_t) { ::kill(parent, SIGTERM); });
  ASSERT_EQ(stopped.code, 130) << stopped.err;
  {
    Store s(db);
    const auto row = s.runs().at(0);
    EXPECT_EQ(row.status, RunStatus::pending);
    EXPECT_NE(row.error.find("interrupted"), std::string::npos) << row.error;
  }
  const Result plan = rflab({"sweep", "plan", file, "--db", db, "--out-root", runs}, tmp.path());
  EXPECT_NE(plan.out.find("resume 1"), std::string::npos) << plan.out;
  const Result resumed = rflab({"sweep", "run", file, "--db", db, "--out-root", runs, "--cache", conditioner_cache()}, tmp.path());
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  Store s(db);
  EXPECT_EQ(s.runs().at(0).status, RunStatus::done);
  EXPECT_EQ(steps_of(s, s.runs().at(0).id, "train/loss"), iota(1, kLongSteps));
}

}  // namespace
}  // namespace rflab::e2e
