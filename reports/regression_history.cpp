#include "reports/regression_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "reports/regression.h"
#include "reports/regression_format.h"
#include "results/git.h"

namespace rflab::reports {

namespace {

// The latest complete clean canary of each commit, ordered by git (then commit time).
std::vector<results::CanaryRow> ordered_canaries(const results::Store& store, const std::string& suite,
                                                 const std::string& repo_dir, std::string& order,
                                                 std::vector<std::string>& notes) {
  std::map<std::string, results::CanaryRow> latest;
  size_t dirty = 0, incomplete = 0;
  for (const auto& c : store.canaries()) {
    if (c.record.suite != suite) continue;
    if (c.status != results::CanaryStatus::done) {
      ++incomplete;
      continue;
    }
    if (c.record.git_dirty) {
      ++dirty;
      continue;
    }
    latest[c.record.git_commit] = c;  // ids ascend: the last one wins
  }
  if (dirty) notes.push_back(fmt::format("{} canaries of dirty trees left out", dirty));
  if (incomplete) notes.push_back(fmt::format("{} incomplete canaries left out", incomplete));
  const auto git = results::commits_in_git_order(repo_dir);
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < git.size(); ++i) position[git[i]] = i;
  std::vector<results::CanaryRow> out;
  size_t unknown = 0;
  for (auto& [commit, c] : latest) {
    unknown += !position.count(commit);
    out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(), [&](const results::CanaryRow& a, const results::CanaryRow& b) {
    const bool ka = position.count(a.record.git_commit), kb = position.count(b.record.git_commit);
    if (ka != kb) return ka;
    if (ka) return position[a.record.git_commit] < position[b.record.git_commit];
    return std::tie(a.record.commit_time, a.id) < std::tie(b.record.commit_time, b.id);
  });
  if (git.empty())
    order = "commit time (no git history in " + repo_dir + ")";
  else if (unknown == 0)
    order = "git order (topological, HEAD's history)";
  else
    order = fmt::format("git order (topological, HEAD's history), then {} commit(s) outside it by commit time", unknown);
  return out;
}

}  // namespace

RegressionHistory regression_history(const results::Store& store, const std::string& suite,
                                     const std::string& repo_dir, const std::string& metric,
                                     const ChangePointOptions& options) {
  RegressionHistory h;
  h.suite = suite;
  for (const auto& c : ordered_canaries(store, suite, repo_dir, h.order, h.notes))
    h.commits.push_back(canary_figures(store, c));
  std::vector<CanaryFigure> figures;
  for (const auto& c : h.commits)
    for (const auto& kv : c.values)
      if (std::find(figures.begin(), figures.end(), kv.first) == figures.end()) figures.push_back(kv.first);
  std::sort(figures.begin(), figures.end());
  for (const auto& f : figures) {
    if (!metric.empty() && f.metric != metric && f.name() != metric) continue;
    MetricHistory m;
    m.figure = f;
    m.rule = *regression_rule(f.metric);
    for (size_t i = 0; i < h.commits.size(); ++i) {
      auto it = h.commits[i].values.find(f);
      if (it == h.commits[i].values.end()) continue;
      SeriesPoint p;
      p.label = short_code_version(h.commits[i].canary.record);
      for (double v : it->second)
        if (std::isfinite(v)) p.values.push_back(v);
      if (p.values.empty()) continue;
      m.commits.push_back(i);
      m.series.push_back(std::move(p));
    }
    bool seeds = false;
    for (const auto& p : m.series) seeds |= p.values.size() > 1;
    if (m.series.size() < 2) {
      m.note = "fewer than two commits";
    } else if (!seeds) {
      m.note = "one seed per commit: no noise level for the change-point test";
    } else {
      ChangePointOptions o = options;
      o.min_effect = min_effect(m.rule, finite_mean(m.series.front().values));
      m.changes = find_change_points(m.series, o);
    }
    h.metrics.push_back(std::move(m));
  }
  if (!metric.empty() && h.metrics.empty() && !figures.empty())
    throw std::invalid_argument(fmt::format("--metric: expected one of the suite's metrics or figures (e.g. {}), got '{}'",
                                            figures.front().metric, metric));
  return h;
}

std::string history_markdown(const RegressionHistory& h) {
  std::string out = fmt::format("### Canary `{}` across {} commits\n\n", h.suite, h.commits.size());
  out += fmt::format("Order: {}. Cells are mean ± SD over the seeds; ▲ marks a step change (binary segmentation, "
                     "noise from the seeds, at least the metric's minimum effect).\n\n", h.order);
  if (h.commits.empty()) return out + "No complete canary stored.\n";
  out += "| commit | subject |";
  for (const auto& m : h.metrics) out += " " + m.figure.name() + " |";
  out += "\n|---|---|";
  for (size_t k = 0; k < h.metrics.size(); ++k) out += "---|";
  out += "\n";
  for (size_t i = 0; i < h.commits.size(); ++i) {
    const auto& r = h.commits[i].canary.record;
    out += fmt::format("| `{}` | {} |", short_code_version(r), subject_cell(r.commit_subject, 48));
    for (const auto& m : h.metrics) {
      auto at = std::find(m.commits.begin(), m.commits.end(), i);
      if (at == m.commits.end()) {
        out += " – |";
        continue;
      }
      const size_t s = static_cast<size_t>(at - m.commits.begin());
      const auto& v = m.series[s].values;
      const bool step = std::any_of(m.changes.begin(), m.changes.end(), [s](const ChangePoint& c) { return c.index == s; });
      out += fmt::format(" {}{} |", step ? "▲ " : "", mean_sd(finite_mean(v), finite_sd(v)));
    }
    out += "\n";
  }
  std::string changes;
  for (const auto& m : h.metrics)
    for (const auto& c : m.changes)
      changes += fmt::format("- {}: {:.4g} → {:.4g} at `{}` (t = {:.3g}, adjusted p = {:.2g}; {} is better)\n",
                             m.figure.name(), c.before, c.after, m.series[c.index].label, c.t, c.p_value,
                             to_string(m.rule.better));
  out += changes.empty() ? "\nNo step change in any figure.\n" : "\nStep changes:\n" + changes;
  for (const auto& n : h.notes) out += "\n" + n + ".";
  if (!h.notes.empty()) out += "\n";
  return out;
}

nlohmann::json history_json(const RegressionHistory& h) {
  nlohmann::json commits = nlohmann::json::array();
  for (const auto& c : h.commits)
    commits.push_back({{"commit", c.canary.record.git_commit}, {"subject", c.canary.record.commit_subject},
                       {"commit_time", c.canary.record.commit_time}, {"canary_id", c.canary.id}, {"seeds", c.seeds}});
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : h.metrics) {
    nlohmann::json points = nlohmann::json::array();
    for (size_t s = 0; s < m.series.size(); ++s)
      points.push_back({{"commit", h.commits[m.commits[s]].canary.record.git_commit}, {"values", m.series[s].values},
                        {"mean", finite_mean(m.series[s].values)}, {"sd", finite_sd(m.series[s].values)}});
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : m.changes)
      changes.push_back({{"commit", h.commits[m.commits[c.index]].canary.record.git_commit}, {"before", c.before},
                         {"after", c.after}, {"t", std::isfinite(c.t) ? nlohmann::json(c.t) : nlohmann::json(nullptr)},
                         {"p_value", c.p_value}});
    metrics.push_back({{"figure", m.figure.name()}, {"metric", m.figure.metric}, {"setting", m.figure.setting},
                       {"weights", m.figure.weights}, {"n", m.figure.n}, {"better", to_string(m.rule.better)},
                       {"points", points}, {"changes", changes}, {"note", m.note}});
  }
  return {{"suite", h.suite}, {"order", h.order}, {"commits", commits}, {"metrics", metrics}, {"notes", h.notes}};
}

std::string history_figure_name(const MetricHistory& m) {
  std::string stem = "regression-" + m.figure.metric + "-" + m.figure.setting + "-" + m.figure.weights;
  for (char& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
  return stem;
}

Figure history_figure(const RegressionHistory& h, const MetricHistory& m) {
  Figure f;
  f.title = fmt::format("{}: {} across commits", h.suite, m.figure.name());
  f.xlabel = "commit (oldest first; " + h.order.substr(0, h.order.find(" (")) + ")";
  f.ylabel = fmt::format("{} ({} is better)", m.figure.name(), to_string(m.rule.better));
  Series mean;
  mean.label = "mean ± SD over seeds";
  for (size_t s = 0; s < m.series.size(); ++s) {
    const double mu = finite_mean(m.series[s].values), sd = finite_sd(m.series[s].values);
    mean.x.push_back(static_cast<double>(m.commits[s]));
    mean.y.push_back(mu);
    mean.lo.push_back(mu - sd);
    mean.hi.push_back(mu + sd);
    mean.point_labels.push_back(m.series[s].label.substr(0, 7));
  }
  f.series.push_back(mean);
  if (!m.changes.empty()) {
    Series steps;
    steps.label = "step change";
    steps.style = Series::Style::points;
    for (const auto& c : m.changes) {
      steps.x.push_back(static_cast<double>(m.commits[c.index]));
      steps.y.push_back(c.after);
      f.notes.push_back(fmt::format("step at {}: {:.4g} -> {:.4g}", m.series[c.index].label.substr(0, 7), c.before, c.after));
    }
    f.series.push_back(steps);
  } else {
    f.notes.push_back(m.note.empty() ? "no step change" : m.note);
  }
  return f;
}

}  // namespace rflab::reports
