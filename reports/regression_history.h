// `rflab regress history`: every figure of a canary suite across the stored commits in git order,
// with the commits where a step change happened (reports/change_point.h, the noise level from the
// seeds and the metric's minimum effect from reports/regression_rules.h), as a table, JSON and a
// plot per figure.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/canary_figures.h"
#include "reports/change_point.h"
#include "reports/plot.h"
#include "reports/regression_rules.h"
#include "results/store.h"

namespace rflab::reports {

struct MetricHistory {
  CanaryFigure figure;
  RegressionRule rule;
  std::vector<size_t> commits;      // index into RegressionHistory::commits of each point
  std::vector<SeriesPoint> series;  // the finite per-seed figures of those commits
  std::vector<ChangePoint> changes; // ChangePoint::index is into `series`
  std::string note;                 // why no change-point test ran, when none did
};

struct RegressionHistory {
  std::string suite;
  std::vector<CanaryFigures> commits;  // one complete canary per commit, oldest first
  std::string order;                   // how the commits were ordered, for the reader
  std::vector<MetricHistory> metrics;
  std::vector<std::string> notes;      // canaries left out, and why
};

// The suite's complete canaries of clean trees (dirty ones are left out and counted in notes),
// the latest per commit, in the topological order of HEAD's history in repo_dir; commits git
// does not know (or no checkout) follow by commit time. `metric` keeps only figures whose metric
// or name equals it ("" keeps all).
RegressionHistory regression_history(const results::Store& store, const std::string& suite,
                                     const std::string& repo_dir, const std::string& metric = "",
                                     const ChangePointOptions& options = {});

std::string history_markdown(const RegressionHistory& h);
nlohmann::json history_json(const RegressionHistory& h);
// The file stem of a figure's history plot: "regression-val-native-val-ema".
std::string history_figure_name(const MetricHistory& m);
// Mean ± SD over the seeds per commit, the step changes marked.
Figure history_figure(const RegressionHistory& h, const MetricHistory& m);

}  // namespace rflab::reports
