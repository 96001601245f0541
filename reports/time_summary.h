// "Where the time went": a study's phase timings (results/phase_timing.h) summed per phase, with
// each phase's share of the total and the commands that spent it, as the Markdown table the
// report prints at its end and writes into report.md.
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

struct TimeSummary {
  std::vector<PhaseTotal> phases;  // results::all_phases() order, phases without rows left out
  double total_seconds = 0;
  int invocations = 0;  // process invocations that stored rows
};

TimeSummary summarise_time(const std::vector<results::PhaseTiming>& rows);

// A heading-free Markdown block: one line with the total, then the table (phase, minutes, share,
// commands). Empty when there are no rows.
std::string time_summary_markdown(const TimeSummary& summary);

}  // namespace rflab::reports
