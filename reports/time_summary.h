// "Where the time went": a study's phase timings (results/phase_timing.h) summed per phase, with
// each phase's share of the total and the commands that spent it, as the Markdown table the
// report prints at its end and writes into report.md; and how fast the machine was while the
// study ran (its invocations' sgemm rates), so that times from different machines or days can
// be told apart from a change in the code.
#pragma once
#include <string>
#include <vector>

#include "results/phase_timing.h"

namespace rflab::reports {

struct PhaseTotal {
  results::Phase phase;
  double seconds = 0;
  std::vector<std::string> commands;  // that spent time in it, in first-seen order
};

// The sgemm rates of the invocations that ran on one BLAS setting (kernels and threads).
struct MachineSpeed {
  std::string blas_kernels;
  int64_t blas_threads = 0;
  int measurements = 0;
  double min_gflops = 0, median_gflops = 0, max_gflops = 0;
};

struct TimeSummary {
  std::vector<PhaseTotal> phases;  // results::all_phases() order, phases without rows left out
  double total_seconds = 0;
  int invocations = 0;  // process invocations that stored rows
  std::vector<MachineSpeed> machine;  // one per BLAS setting, in first-seen order; empty without rates
};

TimeSummary summarise_time(const std::vector<results::PhaseTiming>& rows,
                           const std::vector<results::MachineRate>& rates = {});

// A heading-free Markdown block: one line with the total, then the table (phase, minutes, share,
// commands), then one line per BLAS setting with the machine's sgemm rate (median and range).
// Empty when there are no rows.
std::string time_summary_markdown(const TimeSummary& summary);

}  // namespace rflab::reports
