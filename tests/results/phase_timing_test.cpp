// Phase timings: an invocation's rows sum to its wall time, the rest is `other`, and a sweep's
// timings are its own rows and those of its runs.
#include "results/phase_timing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "results/schema.h"
#include "results/sqlite_db.h"
#include "results/store.h"
#include "tests/results/store_test_util.h"

namespace rflab::results {
namespace {

double sum_seconds(const std::vector<PhaseTiming>& rows) {
  return std::accumulate(rows.begin(), rows.end(), 0.0, [](double s, const PhaseTiming& r) { return s + r.seconds; });
}

const PhaseTiming& row_of(const std::vector<PhaseTiming>& rows, Phase p) {
  for (const auto& r : rows)
    if (r.phase == p) return r;
  throw std::out_of_range("no row of phase " + to_string(p));
}

TEST(PhaseTiming, NamesRoundTripAndUnknownNamesAreRefused) {
  for (Phase p : all_phases()) EXPECT_EQ(phase_from_string(to_string(p)), p);
  EXPECT_THROW(phase_from_string("lunch"), std::invalid_argument);
}

TEST(PhaseClock, RowsSumToTheWallTimeWithTheRestAsOther) {
  PhaseClock clock("eval");
  clock.time(Phase::sampling, [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
  clock.add(Phase::metrics, 0.01, 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto rows = clock.rows(3);
  const double elapsed = clock.elapsed();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_GE(row_of(rows, Phase::sampling).seconds, 0.03);
  EXPECT_DOUBLE_EQ(row_of(rows, Phase::metrics).seconds, 0.01);
  EXPECT_EQ(row_of(rows, Phase::metrics).run_id, 7);
  EXPECT_FALSE(row_of(rows, Phase::metrics).sweep_id);  // a run's row: the sweep is found through the run
  EXPECT_EQ(row_of(rows, Phase::sampling).sweep_id, 3);
  EXPECT_GE(row_of(rows, Phase::other).seconds, 0.02 - 0.01);  // the sleep outside any phase, minus metrics' 0.01
  EXPECT_NEAR(sum_seconds(rows), elapsed, 1e-3);
  for (const auto& r : rows) {
    EXPECT_EQ(r.invocation, clock.invocation());
    EXPECT_EQ(r.command, "eval");
  }
}

TEST(PhaseClock, TimeAddsAlsoWhenTheWorkThrowsAndExcludedTimeIsNotOther) {
  PhaseClock clock("sweep run");
  EXPECT_THROW(clock.time(Phase::conditioner,
                          [] {
                            std::this_thread::sleep_for(std::chrono::milliseconds(20));
                            throw std::runtime_error("x");
                          }),
               std::runtime_error);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  clock.exclude(10.0);  // more than the elapsed rest: other is clamped at zero, never negative
  const auto rows = clock.rows();
  EXPECT_GE(row_of(rows, Phase::conditioner).seconds, 0.02);
  EXPECT_EQ(row_of(rows, Phase::other).seconds, 0.0);
  EXPECT_THROW(clock.add(Phase::other, 1.0), std::logic_error);
  EXPECT_NE(PhaseClock("a").invocation(), PhaseClock("a").invocation());
}

RunRecord run_record(const std::string& hash, std::optional<int64_t> sweep) {
  RunRecord r;
  r.config_json = "{}";
  r.config_hash = hash;
  r.sweep_id = sweep;
  return r;
}

// A store with two sweeps and a run of the first.
struct TwoSweeps {
  testing::TempDir tmp;
  Store s{tmp.path("t.db")};
  const int64_t sweep = s.register_sweep("a", "a.json", "h1");
  const int64_t other_sweep = s.register_sweep("b", "b.json", "h2");
  const int64_t run = s.register_run(run_record("r1", sweep));
};

TEST(PhaseTimings, ASweepHasItsOwnRowsAndThoseOfItsRunsOnly) {
  TwoSweeps db;
  auto& s = db.s;
  const int64_t sweep = db.sweep, other_sweep = db.other_sweep, run = db.run;
  const int64_t stranger = s.register_run(run_record("r2", other_sweep));
  PhaseClock pool("sweep run");
  pool.add(Phase::conditioner, 1.5);
  s.add_phase_timings(pool.rows(sweep));
  PhaseClock worker("sweep run-one");
  worker.add(Phase::training, 4.0, run);
  worker.add(Phase::training, 9.0, stranger);
  s.add_phase_timings(worker.rows());
  s.add_phase_timings(worker.rows());  // the same invocation again: rows continue its sequence

  const auto rows = s.phase_timings_of_sweep(sweep);
  ASSERT_EQ(rows.size(), 4u);  // conditioner, pool's other; training of `run` twice
  EXPECT_EQ(rows[0].phase, Phase::conditioner);
  EXPECT_DOUBLE_EQ(rows[0].seconds, 1.5);
  EXPECT_EQ(rows[0].sweep_id, sweep);
  EXPECT_FALSE(rows[0].created_at.empty());
  EXPECT_EQ(rows[1].phase, Phase::other);
  for (size_t i : {2, 3}) {
    EXPECT_EQ(rows[i].phase, Phase::training);
    EXPECT_EQ(rows[i].run_id, run);
    EXPECT_EQ(rows[i].command, "sweep run-one");
  }
  // The stranger's training, stored twice; the worker's `other` has neither run nor sweep.
  EXPECT_EQ(s.phase_timings_of_sweep(other_sweep).size(), 2u);
}

TEST(PhaseTimings, AVersionTwoDatabaseMigratesKeepingItsRuns) {
  testing::TempDir tmp;
  const std::string path = tmp.path("v2.db");
  {
    Database db(path, Store::kBusyTimeoutMs);
    for (int v = 0; v < 2; ++v) db.exec(migrations()[static_cast<size_t>(v)], "old schema");
    db.exec("PRAGMA user_version = 2", "old schema");
    db.exec("INSERT INTO runs(config_json, config_hash, seed) VALUES ('{}', 'old', 3)", "old run");
  }
  Store s(path);
  EXPECT_EQ(s.schema_version(), code_schema_version());
  EXPECT_EQ(s.find_run("old")->record.seed, 3);
  PhaseClock clock("report");
  clock.add(Phase::report, 0.5, s.find_run("old")->id);
  s.add_phase_timings(clock.rows());
}

TEST(MachineRates, OnePerInvocationFoundThroughTheSweepsTimings) {
  TwoSweeps db;
  auto& s = db.s;
  const int64_t sweep = db.sweep, other_sweep = db.other_sweep, run = db.run;
  PhaseClock worker("sweep run-one", run);
  EXPECT_FALSE(worker.machine_rate());
  EXPECT_THROW(worker.set_machine_rate(0.0, 2, "Haswell"), std::invalid_argument);
  EXPECT_THROW(worker.set_machine_rate(std::nan(""), 2, "Haswell"), std::invalid_argument);
  worker.set_machine_rate(61.5, 2, "Haswell");
  worker.add(Phase::training, 3.0);
  record_phase_timings(s, worker);
  record_phase_timings(s, worker);  // stored twice: still one rate for the invocation
  PhaseClock pool("sweep run");
  pool.set_machine_rate(64.0, 2, "Haswell");
  record_phase_timings(s, pool, sweep);
  PhaseClock elsewhere("report");  // another sweep's invocation
  elsewhere.set_machine_rate(140.0, 2, "SkylakeX");
  record_phase_timings(s, elsewhere, other_sweep);
  PhaseClock unmeasured("eval");  // a clock without a rate stores none
  record_phase_timings(s, unmeasured, sweep);

  const auto rates = s.machine_rates_of_sweep(sweep);
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].invocation, worker.invocation());
  EXPECT_EQ(rates[0].command, "sweep run-one");
  EXPECT_DOUBLE_EQ(rates[0].sgemm_gflops, 61.5);
  EXPECT_EQ(rates[0].blas_threads, 2);
  EXPECT_EQ(rates[0].blas_kernels, "Haswell");
  EXPECT_FALSE(rates[0].created_at.empty());
  EXPECT_EQ(rates[1].invocation, pool.invocation());
  ASSERT_EQ(s.machine_rates_of_sweep(other_sweep).size(), 1u);
  EXPECT_EQ(s.machine_rates_of_sweep(other_sweep)[0].blas_kernels, "SkylakeX");
}

}  // namespace
}  // namespace rflab::results
