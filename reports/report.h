// The report of a study: `index.html` (self-contained: plots inlined as SVG, sample grids as
// base64 PNG, no network) and `report.md` (the same tables, plots linked as PNG files) in one
// folder. The document is built once as a list of blocks — Markdown text, figures, image
// galleries — and written in both forms, so the two never disagree. Plots that cannot be drawn
// (gnuplot missing) are listed with how to install it; the tables are always there.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "reports/architecture_comparison.h"
#include "reports/plot.h"
#include "reports/prompt_following.h"
#include "reports/ranking.h"
#include "reports/regression_history.h"
#include "reports/report_figures.h"
#include "reports/scaling.h"
#include "reports/time_summary.h"
#include "reports/score.h"
#include "reports/study_runs.h"
#include "results/store.h"

namespace rflab::reports {

struct SampleImage {
  std::string caption;  // "S3 ema"
  std::string path;     // a PNG file
};

// One run as the report lists it: status, provenance and its sample grids.
struct RunSummary {
  std::string variant;
  int64_t seed = 0;
  int64_t run_id = -1;
  std::string status, error, config_hash;
  results::Provenance provenance;
  std::vector<SampleImage> grids;
  LossSeries validation;  // the velocity validation loss (comparable across formulations)
};

std::vector<RunSummary> run_summaries(const results::Store& store, const std::vector<StudyRun>& runs,
                                      const std::string& loss_key = "val/velocity");

struct ReportInput {
  std::string title;    // the study's name
  std::string command;  // the command line that made it, for the reader
  std::vector<std::string> variants;
  std::optional<ScoreTable> scores;  // absent: no evaluations yet
  std::optional<Ranking> ranking;
  std::optional<PromptFollowingTable> prompt_following;  // absent: no run has prompt rows (shapes)
  std::optional<ScalingAnalysis> scaling;  // a depth ladder
  std::optional<ArchitectureComparison> architecture;  // runs that differ in backbone or block design
  std::vector<RunSummary> runs;
  std::string loss_key = "val/velocity";
  std::optional<RegressionHistory> regression;  // the database's canaries: a page of its own
  std::optional<TimeSummary> time;  // the study's phase timings stored before this report
};

struct ReportFiles {
  std::string html, markdown;
  std::vector<std::string> plots;          // written figure files (SVG and PNG)
  std::vector<std::string> skipped_plots;  // names, when gnuplot is missing or failed
  std::string ranking_markdown;            // Table 1, for the terminal
  std::string regression_html, regression_markdown;  // the regression page, when written
};

// Writes out_dir/index.html, out_dir/report.md and out_dir/plots/*, and with a regression history
// out_dir/regression.html and regression.md (linked from the index). Each file atomically.
ReportFiles write_report(const ReportInput& input, const std::string& out_dir, const Plotter& plotter);

// Markdown of the subset the report writes (headings, paragraphs, "- " lists, pipe tables with
// "\|" escapes, images, [links](target)) as HTML; text is escaped.
std::string markdown_to_html(const std::string& markdown);

std::string base64(const std::string& bytes);

}  // namespace rflab::reports
