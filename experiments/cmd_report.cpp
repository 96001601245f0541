// rflab scaling and rflab report: the depth-scaling analysis of a study (SPEC §8) and the full
// report of a study (ranking, plots, sample grids, provenance). Computation lives in reports/.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "experiments/command.h"
#include "experiments/invocation_clock.h"
#include "experiments/study_source.h"
#include "reports/architecture_comparison.h"
#include "reports/prompt_following.h"
#include "reports/ranking.h"
#include "reports/sample_bootstrap.h"
#include "reports/report.h"
#include "reports/scaling.h"
#include "reports/score_source.h"
#include "results/error.h"
#include "results/run_config.h"

namespace rflab::experiments {
namespace {

int scaling_cmd(Args& args) {
  const auto csv = args.get("csv");
  Study study = study_from_args(args, true);
  const std::string format = args.get_or("format", "md");
  if (format != "md" && format != "json") throw UserError("--format: expected md or json, got '" + format + "'");
  reports::PowerLawOptions o;
  o.resamples = static_cast<int>(args.get_int("resamples", o.resamples));
  if (o.resamples < 1) throw UserError("--resamples: expected a positive count");
  const auto out = args.get("out");
  args.finish();
  reports::ScalingData data;
  if (csv) {
    data = reports::scaling_from_csv(reports::read_csv(*csv));
  } else {
    results::Store store(study.db_path);
    data = reports::scaling_from_store(store, study.runs);
  }
  if (data.runs.empty()) {
    std::string why;
    for (const auto& n : data.notes) why += "\n  " + n;
    throw UserError(fmt::format("{}: expected runs with validation-loss curves, got none{}", study.sweep ? study.sweep->file : data.source, why));
  }
  const auto a = reports::analyse_scaling(std::move(data), o);
  const std::string text = format == "json" ? reports::scaling_json(a).dump(2) + "\n" : reports::scaling_markdown(a);
  write_output(text, out);
  return 0;
}

int report_cmd(Args& args) {
  Study study = study_from_args(args, false);
  const std::string out_dir = args.get_or("out", (std::filesystem::path("reports") / study.name).string());
  const std::string gnuplot = args.get_or("gnuplot", "gnuplot");
  const bool quiet = args.has_switch("quiet");
  args.finish();
  auto clock = invocation_clock("report");
  results::Store store(study.db_path);
  const auto sweep_id = study.sweep ? store.find_sweep(study.sweep->name, study.sweep->content_hash) : std::nullopt;
  reports::ReportInput in;
  if (sweep_id)
    in.time = reports::summarise_time(store.phase_timings_of_sweep(*sweep_id), store.machine_rates_of_sweep(*sweep_id));
  in.title = "rflab report: " + study.name;
  in.command = study.sweep ? "rflab report --sweep " + study.sweep->file : "rflab report --db " + study.db_path;
  in.variants = reports::variants_of(study.runs);
  in.runs = reports::run_summaries(store, study.runs);
  auto table = reports::scores_from_store(store, study.runs, {});
  if (!table.scores.empty()) {
    std::string no_resampling;
    in.ranking = reports::rank_variants(table, reports::with_sample_resampling(store, table, {}, &no_resampling));
    if (!no_resampling.empty()) in.ranking->notes.push_back("Evaluation samples not resampled: " + no_resampling + ".");
    in.scores = std::move(table);
  }
  in.prompt_following = reports::prompt_following_table(store, study.runs);  // runs on the shapes dataset
  in.architecture = reports::architecture_comparison(store, study.runs, in.loss_key);  // backbones, block designs
  // A depth ladder: depths that differ within one architecture (a backbone sweep matched by
  // depth varies the depth across architectures only, and is no ladder).
  std::map<std::string, std::set<int>> depths;
  for (const auto& r : study.runs) depths[results::architecture_name(r.backbone, r.conditioning)].insert(r.depth);
  bool ladder = false;
  for (const auto& [architecture, ds] : depths) ladder = ladder || ds.size() > 1;
  if (ladder) {
    auto data = reports::scaling_from_store(store, study.runs);
    if (!data.runs.empty()) in.scaling = reports::analyse_scaling(std::move(data));
  }
  std::set<std::string> suites;
  for (const auto& c : store.canaries()) suites.insert(c.record.suite);
  if (!suites.empty()) {
    // The suite of sweeps/canary.json when the database has it, else the first by name.
    const std::string suite = suites.count("canary") ? "canary" : *suites.begin();
    auto history = reports::regression_history(store, suite, ".");
    if (!history.commits.empty()) in.regression = std::move(history);
  }
  const bool architecture_curves = in.architecture && !in.architecture->runs.empty();
  if (!in.ranking && !in.prompt_following && !in.scaling && !in.regression && !architecture_curves)
    throw UserError(fmt::format("{}: expected evaluations of {} (rflab eval --sweep FILE), a depth ladder's or an "
                                "architecture study's validation curves, got none: nothing written",
                                study.db_path, study.name));
  const reports::Plotter plotter(gnuplot);
  const auto files = reports::write_report(in, out_dir, plotter);
  clock.add(results::Phase::report, clock.elapsed());  // reading the study, ranking it, writing the files
  if (!quiet && !files.ranking_markdown.empty()) std::cout << files.ranking_markdown << "\n";
  if (!files.skipped_plots.empty())
    std::cerr << fmt::format("{} plot(s) not drawn{}\n", files.skipped_plots.size(),
                             plotter.available() ? "" : ": gnuplot is not installed (apt-get install gnuplot-nox)");
  std::cout << "report: " << files.html << "\n        " << files.markdown << "\n";
  if (!files.regression_html.empty()) std::cout << "        " << files.regression_html << " (regression history)\n";
  if (sweep_id) {  // the study ends with where its time went, this report included
    results::record_phase_timings(store, clock, sweep_id);
    const auto summary = reports::time_summary_markdown(
        reports::summarise_time(store.phase_timings_of_sweep(*sweep_id), store.machine_rates_of_sweep(*sweep_id)));
    if (!quiet && !summary.empty()) std::cout << "\nWhere the time of " << study.name << " went:\n" << summary;
  }
  return 0;
}

RFLAB_COMMAND(Command{
    "scaling", "depth-scaling analysis: loss against steps and FLOPs, power-law fits, correlations (SPEC §8)",
    "usage: rflab scaling (--sweep FILE | --db PATH | --csv FILE) [--db PATH] [--format md|json]\n"
    "                     [--resamples B] [--out FILE]\n\n"
    "Per depth, the EMA velocity validation loss (D24) against training steps and training FLOPs\n"
    "(6 x forward MACs x batch x steps, SPEC §9.8, logged by the trainer as train/flops); the\n"
    "saturating power law L = a*x^(-b) + c fitted by a Huber loss on log residuals from several\n"
    "starts, to the compute-efficient frontier (x = FLOPs) and to each depth's curve (x = steps),\n"
    "with 90% bootstrap intervals on a, b and c; the frontier itself; Pearson and Spearman\n"
    "correlations with 90% intervals between each run's final validation loss and its sample metrics\n"
    "(the paper's Fig. 8, bottom row); and the sampling efficiency by depth (Table 6: relative\n"
    "CLIP-score drop at 5, 10 and 20 steps against 50, and the path length at 50 steps).\n\n"
    "  --csv FILE   results computed elsewhere: columns depth,step,flops,loss, optional seed, and\n"
    "               metric columns (their values on a run's last row are correlated)\n"
    "  --format     md (default) or json (every fit's a, b, c and intervals)",
    scaling_cmd});

RFLAB_COMMAND(Command{
    "report", "the report of a study: index.html (self-contained) and report.md",
    "usage: rflab report (--sweep FILE | --db PATH) [--db PATH] [--out DIR] [--gnuplot EXE] [--quiet]\n\n"
    "Writes DIR/index.html (default reports/<sweep name>/), self-contained with its plots and sample\n"
    "grids inlined, and DIR/report.md with the same tables: the ranking (Table 1 and Table 2\n"
    "layouts, intervals over seeds, per-setting Pareto fronts, a heat map of fronts by setting,\n"
    "FID and CLIP score against sampling steps), prompt following in the Table 5 layout for runs on\n"
    "the shapes dataset (overall and GenEval's six categories with 95% intervals, per run and per\n"
    "variant over seeds), the validation-loss curves, the architecture comparison when the runs\n"
    "differ in model.backbone or model.conditioning (loss against steps and FLOPs, CLIP score and\n"
    "FID by checkpoint, parameters, FLOPs and wall time per step, means over seeds with 95%\n"
    "intervals), the scaling analysis when the study spans several depths, the sample grids of\n"
    "every run and setting, the runs that failed or are missing evaluations, and the provenance of\n"
    "every ranked figure (commit, dirty flag, config hash, seed, N, evaluator hash). Plots need\n"
    "gnuplot (apt-get install gnuplot-nox); without it the report is written with its tables and\n"
    "lists the plots it skipped. Prints the Table 1 ranking and the paths.",
    report_cmd});

}  // namespace
}  // namespace rflab::experiments
