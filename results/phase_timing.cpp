#include "results/phase_timing.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

#include "results/sqlite_db.h"
#include "results/store.h"

namespace rflab::results {

const std::vector<Phase>& all_phases() {
  static const std::vector<Phase> list = {Phase::conditioner,        Phase::training, Phase::validation,
                                          Phase::checkpoints,        Phase::evaluator_training,
                                          Phase::reference_features, Phase::sampling, Phase::metrics,
                                          Phase::report,             Phase::other};
  return list;
}

std::string to_string(Phase p) {
  switch (p) {
    case Phase::conditioner: return "conditioner";
    case Phase::training: return "training";
    case Phase::validation: return "validation";
    case Phase::checkpoints: return "checkpoints";
    case Phase::evaluator_training: return "evaluator training";
    case Phase::reference_features: return "reference features";
    case Phase::sampling: return "sampling";
    case Phase::metrics: return "metrics";
    case Phase::report: return "report";
    case Phase::other: return "other";
  }
  throw std::logic_error("to_string: Phase out of range");
}

Phase phase_from_string(const std::string& s) {
  for (Phase p : all_phases())
    if (to_string(p) == s) return p;
  throw std::invalid_argument("phase: unknown '" + s + "'");
}

namespace {
// 64 random bits and the process id: distinct across the processes and machines of one study.
std::string new_invocation_id() {
  std::random_device rd;
  const uint64_t r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return fmt::format("{:016x}-{}", r, static_cast<long>(::getpid()));
}
}  // namespace

PhaseClock::PhaseClock(std::string command, std::optional<int64_t> run_id)
    : command_(std::move(command)),
      invocation_(new_invocation_id()),
      run_id_(run_id),
      start_(std::chrono::steady_clock::now()) {}

void PhaseClock::add(Phase phase, double seconds, std::optional<int64_t> run_id) {
  if (phase == Phase::other) throw std::logic_error("PhaseClock::add: `other` is the rest of the invocation");
  seconds_[{run_id ? run_id : run_id_, phase}] += std::max(0.0, seconds);
}

void PhaseClock::set_machine_rate(double sgemm_gflops, int64_t blas_threads, std::string blas_kernels) {
  if (!(sgemm_gflops > 0)) throw std::invalid_argument("PhaseClock::set_machine_rate: expected a positive rate");
  machine_rate_ = MachineRate{invocation_, command_, sgemm_gflops, blas_threads, std::move(blas_kernels), ""};
}

void PhaseClock::exclude(double seconds) { excluded_ += std::max(0.0, seconds); }

double PhaseClock::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::vector<PhaseTiming> PhaseClock::rows(std::optional<int64_t> sweep_id) const {
  std::vector<PhaseTiming> out;
  double named = 0;
  for (const auto& [key, seconds] : seconds_) {
    named += seconds;
    out.push_back({invocation_, command_, key.first ? std::nullopt : sweep_id, key.first, key.second, seconds, ""});
  }
  double other = elapsed() - named - excluded_;
  out.push_back({invocation_, command_, run_id_ ? std::nullopt : sweep_id, run_id_, Phase::other, std::max(0.0, other), ""});
  return out;
}

void record_phase_timings(Store& store, const PhaseClock& clock, std::optional<int64_t> sweep_id) {
  store.add_phase_timings(clock.rows(sweep_id), clock.machine_rate());
}

void Store::add_phase_timings(const std::vector<PhaseTiming>& rows, const std::optional<MachineRate>& rate) {
  const std::string purpose = "store phase timings";
  with_write(purpose, [&] {
    if (rate) {  // once per invocation: a second store of the same clock keeps the first rate
      auto st = db_->prepare(
          "INSERT OR IGNORE INTO machine_rates(invocation, command, sgemm_gflops, blas_threads, blas_kernels) "
          "VALUES (?,?,?,?,?)",
          purpose);
      st.bind(1, rate->invocation).bind(2, rate->command).bind(3, rate->sgemm_gflops).bind(4, rate->blas_threads);
      st.bind(5, rate->blas_kernels).run();
    }
    // seq continues after each invocation's earlier rows, so one process may store twice; it is
    // read once per invocation and counted on from there.
    std::map<std::string, int64_t> next_seq;
    for (const auto& r : rows) {
      auto next = next_seq.find(r.invocation);
      if (next == next_seq.end()) {
        auto q = db_->prepare("SELECT COALESCE(MAX(seq), -1) + 1 FROM phase_timings WHERE invocation = ?", purpose);
        q.bind(1, r.invocation);
        q.step();
        next = next_seq.emplace(r.invocation, q.column_int(0)).first;
      }
      auto st = db_->prepare(
          "INSERT INTO phase_timings(invocation, seq, command, sweep_id, run_id, phase, seconds) "
          "VALUES (?,?,?,?,?,?,?)",
          purpose);
      st.bind(1, r.invocation).bind(2, next->second++).bind(3, r.command).bind(4, r.sweep_id).bind(5, r.run_id);
      st.bind(6, to_string(r.phase)).bind(7, r.seconds).run();
    }
  });
}

std::vector<PhaseTiming> Store::phase_timings_of_sweep(int64_t sweep_id) const {
  auto st = db_->prepare(
      "SELECT invocation, command, sweep_id, run_id, phase, seconds, created_at FROM phase_timings "
      "WHERE sweep_id = ?1 OR run_id IN (SELECT run_id FROM sweep_runs WHERE sweep_id = ?1) ORDER BY id",
      "read phase timings");
  st.bind(1, sweep_id);
  std::vector<PhaseTiming> out;
  while (st.step()) {
    PhaseTiming r;
    r.invocation = st.column_text(0);
    r.command = st.column_text(1);
    r.sweep_id = st.column_optional_int(2);
    r.run_id = st.column_optional_int(3);
    try {
      r.phase = phase_from_string(st.column_text(4));
    } catch (const std::invalid_argument&) {
      throw StoreError(path() + ": phase_timings: unknown phase '" + st.column_text(4) + "'");
    }
    r.seconds = st.column_double(5);
    r.created_at = st.column_text(6);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<MachineRate> Store::machine_rates_of_sweep(int64_t sweep_id) const {
  auto st = db_->prepare(
      "SELECT invocation, command, sgemm_gflops, blas_threads, blas_kernels, created_at FROM machine_rates "
      "WHERE invocation IN (SELECT invocation FROM phase_timings WHERE sweep_id = ?1 OR run_id IN "
      "(SELECT run_id FROM sweep_runs WHERE sweep_id = ?1)) ORDER BY id",
      "read machine rates");
  st.bind(1, sweep_id);
  std::vector<MachineRate> out;
  while (st.step())
    out.push_back({st.column_text(0), st.column_text(1), st.column_double(2), st.column_int(3), st.column_text(4),
                   st.column_text(5)});
  return out;
}

double Store::phase_seconds_of_run(int64_t run_id, Phase phase) const {
  auto st = db_->prepare("SELECT COALESCE(SUM(seconds), 0) FROM phase_timings WHERE run_id = ?1 AND phase = ?2",
                         "read phase timings");
  st.bind(1, run_id);
  st.bind(2, to_string(phase));
  return st.step() ? st.column_double(0) : 0.0;
}

}  // namespace rflab::results
