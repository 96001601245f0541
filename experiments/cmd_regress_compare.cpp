// rflab regress compare|history: a canary suite's figures at two commits with a verdict per
// figure, and across every stored commit with the step changes marked. Torch-free (served by
// the torch-free rflab front); the statistics live in reports/.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "experiments/command.h"
#include "experiments/study_source.h"
#include "reports/plot.h"
#include "reports/regression.h"
#include "reports/regression_format.h"
#include "reports/regression_history.h"
#include "results/error.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {
namespace {

// The exit status of `regress compare` when a commit has no stored canary: distinct from 0 (no
// regression), 1 (a regression, or bad input) and 2 (usage).
constexpr int kExitNoCanary = 4;
constexpr const char* kDefaultSuite = "sweeps/canary.json";

// --suite FILE (its name is read from it) or a suite NAME; the default suite's name without the file.
std::string suite_name(Args& args) {
  const std::string suite = args.get_or("suite", kDefaultSuite);
  if (std::filesystem::is_regular_file(suite)) return sweeps::load_sweep(suite).name;
  if (suite == kDefaultSuite) return "canary";
  if (suite.find('/') != std::string::npos || suite.size() > 5 && suite.substr(suite.size() - 5) == ".json")
    throw UserError("--suite " + suite + ": expected a suite file or a suite name, got no such file");
  return suite;
}

// The usage is checked before the database, so a malformed command line gets its usage status.
std::string existing_db(const std::string& db) {
  if (!std::filesystem::exists(db))
    throw UserError(db + ": expected a results database holding canaries (`rflab regress run` writes them), got no file");
  return db;
}

int compare_cmd(Args& args) {
  const std::string db_flag = args.get_or("db", kDefaultDb);
  const std::string suite = suite_name(args);
  const std::string repo = args.get_or("repo", ".");
  reports::RegressFormat format;
  try {
    format = reports::regress_format_from_string(args.get_or("format", "md"));
  } catch (const std::invalid_argument& e) {
    throw UserError(std::string("--format: ") + e.what());
  }
  reports::RegressionOptions options;
  options.min_effect_scale = args.get_double("min-effect-scale", 1.0);
  if (!(options.min_effect_scale >= 0)) throw UserError("--min-effect-scale: expected a number >= 0");
  const auto out = args.get("out");
  args.finish();
  const auto names = args.positional();
  if (names.empty() || names.size() > 2)
    throw UsageError(fmt::format("expected BASE [HEAD] (commit names), got {} arguments", names.size()));
  const std::string base_name = names[0], head_name = names.size() > 1 ? names[1] : "HEAD";
  const std::string db = existing_db(db_flag);

  results::Store store(db);
  const auto all = store.canaries();
  const auto base = reports::find_canary(all, suite, base_name, repo);
  const auto head = reports::find_canary(all, suite, head_name, repo);
  if (!base.canary || !head.canary) {
    for (const auto* l : {&base, &head})
      if (!l->canary) std::cerr << "rflab regress compare: " << l->message << "\n";
    std::cerr << fmt::format("rflab regress compare: nothing compared (exit {}); `rflab regress run` at that commit "
                             "stores its canary\n", kExitNoCanary);
    return kExitNoCanary;
  }
  const auto comparison = reports::compare_canaries(reports::canary_figures(store, *base.canary),
                                                    reports::canary_figures(store, *head.canary), options);
  write_output(reports::render(format, comparison), out);
  if (out || format != reports::RegressFormat::md) std::cerr << comparison.summary() << "\n";
  return comparison.regressed() ? 1 : 0;
}

int history_cmd(Args& args) {
  const std::string db = existing_db(args.get_or("db", kDefaultDb));
  const std::string suite = suite_name(args);
  const std::string repo = args.get_or("repo", ".");
  const std::string metric = args.get_or("metric", "");
  const std::string format = args.get_or("format", "md");
  const auto out = args.get("out");
  const auto plots = args.get("plots");
  const bool no_plots = args.has_switch("no-plots");
  args.finish();
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional().front());
  if (format != "md" && format != "json") throw UserError("--format: expected md or json, got '" + format + "'");
  results::Store store(db);
  reports::RegressionHistory history;
  try {
    history = reports::regression_history(store, suite, repo, metric);
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what());
  }
  std::string text =
      format == "md" ? reports::history_markdown(history) : reports::history_json(history).dump(2) + "\n";
  const std::optional<std::string> plot_dir =
      no_plots ? std::nullopt : std::optional<std::string>(plots.value_or("reports/regression-" + suite));
  const reports::Plotter plotter;
  if (plot_dir && !history.commits.empty() && !plotter.available())
    std::cerr << "plots not drawn: gnuplot is not installed (apt-get install gnuplot-nox, or bash scripts/setup)\n";
  if (plot_dir && !history.commits.empty() && plotter.available()) {
    std::filesystem::create_directories(*plot_dir);
    for (const auto& m : history.metrics) {
      const std::string path = (std::filesystem::path(*plot_dir) / (reports::history_figure_name(m) + ".svg")).string();
      plotter.render_svg(reports::history_figure(history, m), path);
      if (format == "md") text += fmt::format("\n![{}]({})", m.figure.name(), path);
    }
    if (format == "md") text += "\n";
  }
  write_output(text, out);
  return 0;
}

RFLAB_COMMAND(Command{
    "regress compare", "a canary's figures at two commits: better, worse, unchanged or numerics-only",
    "usage: rflab regress compare BASE [HEAD] [--db PATH] [--format md|junit|json] [--out FILE]\n"
    "                             [--suite FILE|NAME] [--repo DIR] [--min-effect-scale X]\n\n"
    "BASE and HEAD (default HEAD) are commit names as git takes them: SHA, short SHA, branch, tag,\n"
    "HEAD~3 (resolved in --repo, default .; without a checkout, a prefix of a stored commit). For\n"
    "every figure of the suite's canary (default sweeps/canary.json, or its name) it prints the\n"
    "distributions over seeds, the difference head − base with a 95% Welch interval, the direction\n"
    "of better and a verdict: unchanged (bit-identical figures), numerics-only (the figures differ\n"
    "inside the seed noise or below the metric's minimum effect), better or worse (the interval\n"
    "excludes 0 and the difference reaches the minimum effect). --min-effect-scale multiplies\n"
    "every minimum effect (reports/regression_rules.cpp lists them).\n\n"
    "Exit status: 0 nothing regressed, 1 a figure is worse (or bad input), 4 a commit has no\n"
    "stored complete canary (nothing compared). --format junit writes JUnit XML, one testcase per\n"
    "figure, a failure per regression.",
    compare_cmd});

RFLAB_COMMAND(Command{
    "regress history", "each canary figure across the stored commits, with its step changes",
    "usage: rflab regress history [--metric M] [--db PATH] [--suite FILE|NAME] [--repo DIR]\n"
    "                             [--format md|json] [--out FILE] [--plots DIR | --no-plots]\n\n"
    "One row per commit with a complete canary of a clean tree (the latest one of each commit),\n"
    "in git order (the topological order of HEAD's history in --repo; other commits follow by\n"
    "commit time), mean ± SD over the seeds per figure. ▲ marks the commits where a step change\n"
    "happened: binary segmentation with the noise level pooled from the seeds, Bonferroni-adjusted\n"
    "p < 0.01 and at least the metric's minimum effect. --metric keeps one metric (clip_fid) or\n"
    "figure. One SVG plot per figure (gnuplot) goes to --plots DIR (default\n"
    "reports/regression-<suite>).",
    history_cmd});

}  // namespace
}  // namespace rflab::experiments
