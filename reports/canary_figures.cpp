#include "reports/canary_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "reports/float_constants.h"
#include "reports/regression_rules.h"
#include "results/control_setting.h"
#include "results/git.h"

namespace rflab::reports {

namespace {
}  // namespace

std::string CanaryFigure::name() const {
  if (setting == results::kValSetting) return fmt::format("{} ({})", metric, weights);
  return fmt::format("{} ({}, {})", metric, setting, weights);
}

CanaryFigures canary_figures(const results::Store& store, const results::CanaryRow& canary) {
  CanaryFigures out;
  out.canary = canary;
  std::vector<std::map<CanaryFigure, double>> per_run;
  for (const int64_t id : canary.run_ids) {
    const auto run = store.run(id);
    out.seeds.push_back(run.record.seed);
    std::map<CanaryFigure, double> figures;
    if (run.status != results::RunStatus::done && run.status != results::RunStatus::diverged)
      out.problems.push_back(fmt::format("run {} (seed {}) is {}", id, run.record.seed, results::to_string(run.status)));
    const auto rows = store.evaluations(id);
    int64_t latest = -1;
    for (const auto& r : rows) latest = std::max(latest, r.checkpoint_step);
    for (const auto& r : rows)
      if (r.checkpoint_step == latest && r.setting != results::kRealSetting && regression_rule(r.metric))
        figures[{r.metric, r.setting, r.weights, r.n}] = r.value;
    if (run.status == results::RunStatus::done && figures.empty())
      out.problems.push_back(fmt::format("run {} (seed {}) has no evaluations", id, run.record.seed));
    per_run.push_back(std::move(figures));
  }
  for (const auto& figures : per_run)
    for (const auto& [figure, value] : figures) out.values.emplace(figure, std::vector<double>(per_run.size(), kNaN));
  for (size_t i = 0; i < per_run.size(); ++i)
    for (const auto& [figure, value] : per_run[i]) out.values[figure][i] = value;
  return out;
}

std::string short_code_version(const results::CanaryRecord& c) {
  return c.git_commit.substr(0, 12) + (c.git_dirty ? "+dirty" : "");
}

CanaryLookup find_canary(const std::vector<results::CanaryRow>& canaries, const std::string& suite,
                         const std::string& name, const std::string& repo_dir) {
  CanaryLookup out;
  if (auto c = results::resolve_commit(repo_dir, name)) {
    out.commit = c->sha;
  } else {
    const bool hex = name.size() >= 4 && name.size() <= 40 &&
                     std::all_of(name.begin(), name.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
    std::vector<std::string> matches;
    if (hex)
      for (const auto& k : canaries)
        if (k.record.git_commit.rfind(name, 0) == 0 &&
            std::find(matches.begin(), matches.end(), k.record.git_commit) == matches.end())
          matches.push_back(k.record.git_commit);
    if (matches.size() > 1) {
      out.message = fmt::format("'{}' is a prefix of {} stored commits; give more digits", name, matches.size());
      return out;
    }
    if (matches.empty()) {
      out.message = fmt::format("'{}' names no commit: git in {} does not know it and no stored canary's commit "
                                "starts with it", name, repo_dir);
      return out;
    }
    out.commit = matches.front();
  }
  const results::CanaryRow* best = nullptr;
  std::vector<std::string> incomplete;
  for (const auto& k : canaries) {
    if (k.record.suite != suite || k.record.git_commit != out.commit) continue;
    if (k.status != results::CanaryStatus::done) {
      incomplete.push_back(fmt::format("#{} ({})", k.id, results::to_string(k.status)));
      continue;
    }
    // Later ids win among equals; a clean tree beats any dirty one.
    if (!best || (best->record.git_dirty && !k.record.git_dirty) || best->record.git_dirty == k.record.git_dirty)
      best = &k;
  }
  if (best) {
    out.canary = *best;
    return out;
  }
  out.message = fmt::format("no stored canary of suite '{}' at {} ({}){}", suite, out.commit.substr(0, 12), name,
                            incomplete.empty() ? "" : "; incomplete: " + fmt::format("{}", fmt::join(incomplete, ", ")) +
                                                          " (run `rflab regress run` again to finish it)");
  return out;
}

}  // namespace rflab::reports
