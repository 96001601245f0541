#include "reports/time_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace rflab::reports {

TimeSummary summarise_time(const std::vector<results::PhaseTiming>& rows) {
  TimeSummary s;
  std::map<results::Phase, PhaseTotal> by;
  std::set<std::string> invocations;
  for (const auto& r : rows) {
    auto& t = by.try_emplace(r.phase, PhaseTotal{r.phase, 0, {}}).first->second;
    t.seconds += r.seconds;
    if (std::find(t.commands.begin(), t.commands.end(), r.command) == t.commands.end()) t.commands.push_back(r.command);
    s.total_seconds += r.seconds;
    invocations.insert(r.invocation);
  }
  for (results::Phase p : results::all_phases())
    if (by.count(p)) s.phases.push_back(by.at(p));
  s.invocations = static_cast<int>(invocations.size());
  return s;
}

std::string time_summary_markdown(const TimeSummary& s) {
  if (s.phases.empty()) return "";
  std::string out = fmt::format(
      "{:.1f} minutes in all, summed over the {} command invocation(s) that stored their timings (workers "
      "that ran in parallel each count their own time).\n\n",
      s.total_seconds / 60, s.invocations);
  out += "| phase | minutes | share | commands |\n|---|---|---|---|\n";
  for (const auto& p : s.phases) {
    std::string commands;
    for (const auto& c : p.commands) commands += (commands.empty() ? "" : ", ") + c;
    const double share = s.total_seconds > 0 ? 100 * p.seconds / s.total_seconds : 0;
    out += fmt::format("| {} | {:.2f} | {:.1f}% | {} |\n", results::to_string(p.phase), p.seconds / 60, share, commands);
  }
  return out;
}

}  // namespace rflab::reports
