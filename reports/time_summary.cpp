#include "reports/time_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace rflab::reports {

namespace {
// Median of a non-empty list: the middle value, or the mean of the two middle values.
double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<MachineSpeed> machine_speeds(const std::vector<results::MachineRate>& rates) {
  std::vector<std::pair<std::string, int64_t>> settings;  // first-seen order
  std::map<std::pair<std::string, int64_t>, std::vector<double>> by;
  for (const auto& r : rates) {
    const auto key = std::make_pair(r.blas_kernels, r.blas_threads);
    if (!by.count(key)) settings.push_back(key);
    by[key].push_back(r.sgemm_gflops);
  }
  std::vector<MachineSpeed> out;
  for (const auto& key : settings) {
    const auto& v = by.at(key);
    out.push_back({key.first, key.second, static_cast<int>(v.size()), *std::min_element(v.begin(), v.end()),
                   median_of(v), *std::max_element(v.begin(), v.end())});
  }
  return out;
}
}  // namespace

TimeSummary summarise_time(const std::vector<results::PhaseTiming>& rows,
                           const std::vector<results::MachineRate>& rates) {
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
  s.machine = machine_speeds(rates);
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
  for (const auto& m : s.machine) {
    const std::string kernels =
        m.blas_kernels.empty() ? "a BLAS other than OpenBLAS" : "OpenBLAS " + m.blas_kernels + " kernels";
    const std::string threads = m.blas_threads > 0 ? fmt::format(", {} thread(s)", m.blas_threads) : "";
    out += fmt::format(
        "\nThe machine's sgemm rate ({}{}; 5120x256 by 256x1024, measured as each command started): median {:.1f} "
        "GFLOP/s, {:.1f}–{:.1f} over {} command(s); a study's times scale roughly inversely with it.\n",
        kernels, threads, m.median_gflops, m.min_gflops, m.max_gflops, m.measurements);
  }
  return out;
}

}  // namespace rflab::reports
