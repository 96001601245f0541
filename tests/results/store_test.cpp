#include "results/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <regex>

#include "results/error.h"
#include "results/schema.h"
#include "results/sqlite_db.h"
#include "tests/results/store_test_util.h"

namespace rflab::results {
namespace {

RunRecord record(const std::string& hash, int64_t seed = 0) {
  RunRecord r;
  r.config_json = "{\"hash\":\"" + hash + "\"}";
  r.config_hash = hash;
  r.seed = seed;
  r.provenance.git_commit = "abc123";
  r.provenance.git_dirty = true;
  r.provenance.host = "node1";
  r.provenance.threads = 4;
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  testing::TempDir tmp;
};

TEST_F(StoreTest, CreatesParentDirectoryAndMigratesToCodeVersion) {
  Store s(tmp.path("a/b/results.sqlite"));
  EXPECT_EQ(s.schema_version(), code_schema_version());
  EXPECT_GE(code_schema_version(), 1);
}

TEST_F(StoreTest, MigratesAnEmptyExistingFile) {
  const std::string path = tmp.path("empty.sqlite");
  { std::ofstream(path); }
  Store s(path);
  EXPECT_EQ(s.schema_version(), code_schema_version());
  EXPECT_EQ(s.register_run(record("h")), 1);
}

TEST_F(StoreTest, ReopeningKeepsDataAndVersion) {
  const std::string path = tmp.path("r.sqlite");
  int64_t id;
  {
    Store s(path);
    id = s.register_run(record("h", 7));
  }
  Store s(path);
  EXPECT_EQ(s.schema_version(), code_schema_version());
  EXPECT_EQ(s.run(id).record.seed, 7);
}

TEST_F(StoreTest, UsesWalJournal) {
  const std::string path = tmp.path("wal.sqlite");
  Store s(path);
  Database raw(path, 1000);
  auto st = raw.prepare("PRAGMA journal_mode", "read journal mode");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_text(0), "wal");
}

TEST_F(StoreTest, RefusesDatabaseWithNewerSchemaNamingThePath) {
  const std::string path = tmp.path("newer.sqlite");
  { Store s(path); }
  {
    Database raw(path, 1000);
    raw.exec("PRAGMA user_version = " + std::to_string(code_schema_version() + 1), "bump");
  }
  try {
    Store s(path);
    FAIL() << "a newer database was opened";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
  }
}

TEST_F(StoreTest, RegisterRunIsIdempotentOnConfigHash) {
  Store s(tmp.path("db.sqlite"));
  const int64_t a = s.register_run(record("h1", 1));
  const int64_t b = s.register_run(record("h1", 99));
  const int64_t c = s.register_run(record("h2", 2));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(s.runs().size(), 2u);
  EXPECT_EQ(s.run(a).record.seed, 1);  // the first registration wins
  EXPECT_EQ(s.run(a).status, RunStatus::pending);
}

TEST_F(StoreTest, RunRoundTripsProvenance) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  const RunRow row = s.run(id);
  EXPECT_EQ(row.record.config_json, "{\"hash\":\"h\"}");
  EXPECT_EQ(row.record.provenance.git_commit, "abc123");
  EXPECT_TRUE(row.record.provenance.git_dirty);
  EXPECT_EQ(row.record.provenance.host, "node1");
  EXPECT_EQ(row.record.provenance.threads, 4);
  EXPECT_FALSE(row.record.sweep_id.has_value());
  Provenance p;
  p.git_commit = "def";
  p.libtorch_version = "1.13.1";
  p.blas = "openblas";
  p.device = "cpu";
  p.threads = 2;
  s.update_provenance(id, p);
  const Provenance q = s.run(id).record.provenance;
  EXPECT_EQ(q.git_commit, "def");
  EXPECT_FALSE(q.git_dirty);
  EXPECT_EQ(q.libtorch_version, "1.13.1");
  EXPECT_EQ(q.blas, "openblas");
  EXPECT_EQ(q.device, "cpu");
  EXPECT_EQ(q.threads, 2);
}

TEST_F(StoreTest, FindRunByHash) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  ASSERT_TRUE(s.find_run("h").has_value());
  EXPECT_EQ(s.find_run("h")->id, id);
  EXPECT_FALSE(s.find_run("other").has_value());
  EXPECT_THROW(s.run(id + 100), std::out_of_range);
}

TEST_F(StoreTest, RunsLinkToEverySweepThatRegistersThem) {
  Store s(tmp.path("db.sqlite"));
  const int64_t sw1 = s.register_sweep("quick", "sweeps/quick.json", "c1");
  const int64_t sw2 = s.register_sweep("full", "sweeps/full.json", "c2");
  EXPECT_EQ(s.register_sweep("quick", "sweeps/quick.json", "c1"), sw1);
  RunRecord r = record("shared");
  r.sweep_id = sw1;
  const int64_t id = s.register_run(r);
  r.sweep_id = sw2;
  EXPECT_EQ(s.register_run(r), id);
  EXPECT_EQ(s.run(id).record.sweep_id, sw1);
  ASSERT_EQ(s.runs_of_sweep(sw2).size(), 1u);
  EXPECT_EQ(s.runs_of_sweep(sw2)[0].id, id);
  EXPECT_EQ(s.sweeps().size(), 2u);
}

TEST_F(StoreTest, RegisterRunWithUnknownSweepViolatesForeignKey) {
  Store s(tmp.path("db.sqlite"));
  RunRecord r = record("h");
  r.sweep_id = 42;
  EXPECT_THROW(s.register_run(r), StoreError);
  EXPECT_TRUE(s.runs().empty());
}

TEST_F(StoreTest, StatusTransitionsSetIsoUtcTimestamps) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(s.run(id).created_at, iso)) << s.run(id).created_at;
  EXPECT_TRUE(s.run(id).started_at.empty());
  s.set_status(id, RunStatus::running);
  const std::string started = s.run(id).started_at;
  EXPECT_TRUE(std::regex_match(started, iso)) << started;
  EXPECT_TRUE(s.run(id).ended_at.empty());
  s.set_status(id, RunStatus::failed, "boom");
  EXPECT_EQ(s.run(id).status, RunStatus::failed);
  EXPECT_EQ(s.run(id).error, "boom");
  EXPECT_TRUE(std::regex_match(s.run(id).ended_at, iso));
  s.set_status(id, RunStatus::running);  // a resume keeps the first start time
  EXPECT_EQ(s.run(id).started_at, started);
  EXPECT_TRUE(s.run(id).ended_at.empty());
  s.set_status(id, RunStatus::done);
  EXPECT_EQ(s.run(id).status, RunStatus::done);
  EXPECT_EQ(s.run(id).error, "");
}

TEST_F(StoreTest, SetStatusOfMissingRunThrows) {
  Store s(tmp.path("db.sqlite"));
  EXPECT_THROW(s.set_status(5, RunStatus::done), std::out_of_range);
}

TEST(RunStatus, StringRoundTripAndRejection) {
  for (auto v : {RunStatus::pending, RunStatus::running, RunStatus::done, RunStatus::failed,
                 RunStatus::diverged})
    EXPECT_EQ(run_status_from_string(to_string(v)), v);
  EXPECT_THROW(run_status_from_string("finished"), std::invalid_argument);
}

TEST_F(StoreTest, AppendMetricsReplacesOnConflict) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  s.append_metrics(id, 10, {{"loss", 1.0}, {"lr", 1e-4}});
  s.append_metrics(id, 10, {{"loss", 2.0}});
  const auto rows = s.metrics(id, "loss");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, 2.0);
  EXPECT_EQ(s.metrics(id).size(), 2u);
}

TEST_F(StoreTest, MetricsOrderedByStepThenKey) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  s.append_metrics(id, 20, {{"b", 1}, {"a", 2}});
  s.append_metrics(id, 5, {{"z", 3}});
  const auto rows = s.metrics(id);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].step, 5);
  EXPECT_EQ(rows[1].key, "a");
  EXPECT_EQ(rows[2].key, "b");
}

TEST_F(StoreTest, NonFiniteMetricValuesRoundTrip) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  const double inf = std::numeric_limits<double>::infinity();
  s.append_metrics(id, 1, {{"nan", std::nan("")}, {"inf", inf}, {"ninf", -inf}});
  EXPECT_EQ(s.metrics(id, "inf")[0].value, inf);
  EXPECT_EQ(s.metrics(id, "ninf")[0].value, -inf);
  EXPECT_TRUE(std::isnan(s.metrics(id, "nan")[0].value));
}

TEST_F(StoreTest, DeleteMetricsAfterDropsOnlyLaterStepsOfThatRun) {
  Store s(tmp.path("db.sqlite"));
  const int64_t a = s.register_run(record("a"));
  const int64_t b = s.register_run(record("b"));
  for (int step = 0; step <= 40; step += 10) {
    s.append_metrics(a, step, {{"loss", double(step)}});
    s.append_metrics(b, step, {{"loss", double(step)}});
  }
  s.delete_metrics_after(a, 20);
  const auto rows = s.metrics(a);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.back().step, 20);
  EXPECT_EQ(s.metrics(b).size(), 5u);
}

TEST_F(StoreTest, AppendToMissingRunThrowsNamingPathAndPurpose) {
  const std::string path = tmp.path("db.sqlite");
  Store s(path);
  try {
    s.append_metrics(77, 1, {{"loss", 1.0}});
    FAIL() << "foreign key not enforced";
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("append metrics of run 77"), std::string::npos) << msg;
  }
}

TEST_F(StoreTest, TransactionRollsBackOnException) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  EXPECT_THROW(s.transaction([&] {
    s.append_metrics(id, 1, {{"loss", 1.0}});
    s.set_status(id, RunStatus::done);
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_TRUE(s.metrics(id).empty());
  EXPECT_EQ(s.run(id).status, RunStatus::pending);
  s.transaction([&] { s.append_metrics(id, 2, {{"loss", 2.0}}); });  // the store is usable again
  EXPECT_EQ(s.metrics(id).size(), 1u);
}

TEST_F(StoreTest, NestedTransactionRollsBackOnlyInner) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  s.transaction([&] {
    s.append_metrics(id, 1, {{"loss", 1.0}});
    try {
      s.transaction([&] {
        s.append_metrics(id, 2, {{"loss", 2.0}});
        throw std::runtime_error("inner");
      });
    } catch (const std::runtime_error&) {
    }
  });
  const auto rows = s.metrics(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].step, 1);
}

TEST_F(StoreTest, EvaluationsRoundTripAndReplace) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  EvaluationRow e{id, 500, "ema", "S4", 5, 5.0, "clip_fid", 12.5, 1000, "clip-vit-l14", "ev1"};
  s.add_evaluation(e);
  EvaluationRow raw = e;
  raw.weights = "raw";
  raw.value = 13.0;
  s.add_evaluation(raw);
  e.value = 11.0;
  e.n = 2000;
  s.add_evaluation(e);
  const auto rows = s.evaluations(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].weights, "ema");
  EXPECT_EQ(rows[0].value, 11.0);
  EXPECT_EQ(rows[0].n, 2000);
  EXPECT_EQ(rows[0].setting, "S4");
  EXPECT_EQ(rows[0].steps, 5);
  EXPECT_EQ(rows[0].cfg, 5.0);
  EXPECT_EQ(rows[0].feature_space, "clip-vit-l14");
  EXPECT_EQ(rows[0].evaluator_hash, "ev1");
  EXPECT_EQ(rows[1].value, 13.0);
}

TEST_F(StoreTest, EvaluationWeightsMustBeEmaOrRaw) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  EXPECT_THROW(s.add_evaluation({id, 1, "best", "S1", 50, 1.0, "fid", 1.0, 10, "", ""}),
               StoreError);
}

TEST_F(StoreTest, ArtifactsRoundTripAndReplace) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_run(record("h"));
  s.add_artifact({id, "ckpt/500.pt", "aa", "checkpoint"});
  s.add_artifact({id, "plots/loss.svg", "bb", "plot"});
  s.add_artifact({id, "ckpt/500.pt", "cc", "checkpoint"});
  const auto rows = s.artifacts(id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].path, "ckpt/500.pt");
  EXPECT_EQ(rows[0].sha256, "cc");
  EXPECT_EQ(rows[1].kind, "plot");
}

}  // namespace
}  // namespace rflab::results
