// rflab rank: the variants of a study ranked by non-dominated sorting (SPEC §6), from the store
// or from a CSV of results computed elsewhere. The computation lives in reports/.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "experiments/command.h"
#include "experiments/study_source.h"
#include "reports/rank_format.h"
#include "reports/ranking.h"
#include "reports/sample_bootstrap.h"
#include "reports/score_source.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

std::string one_of(const std::string& flag, const std::string& v, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw UserError("--" + flag + ": expected one of " + list + ", got '" + v + "'");
  }
  return v;
}

int rank_cmd(Args& args) {
  const auto csv = args.get("csv");
  Study study = study_from_args(args, true);
  reports::ScoreMetrics metrics;
  metrics.fid = one_of("fid", args.get_or("fid", metrics.fid), reports::fid_metric_names());
  metrics.clip = one_of("clip", args.get_or("clip", metrics.clip), reports::clip_metric_names());
  metrics.n = args.get_int("samples", 0);
  reports::RankOptions options;
  reports::TextFormat format;
  try {
    options.by = reports::rank_by_from_string(args.get_or("by", "all"));
    format = reports::text_format_from_string(args.get_or("format", "md"));
  } catch (const std::invalid_argument& e) {
    throw UserError(std::string("--by/--format: ") + e.what());
  }
  options.resamples = static_cast<int>(args.get_int("resamples", options.resamples));
  if (options.resamples < 1) throw UserError("--resamples: expected a positive count");
  const auto out = args.get("out");
  args.finish();
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional().front());

  reports::ScoreTable table;
  std::string no_resampling;
  if (csv) {
    table = reports::scores_from_csv(reports::read_csv(*csv));
  } else {
    results::Store store(study.db_path);
    table = reports::scores_from_store(store, study.runs, metrics);
    if (!table.scores.empty()) options = reports::with_sample_resampling(store, table, options, &no_resampling);
  }
  if (table.scores.empty()) {
    std::string why;
    for (const auto& m : table.missing) why += fmt::format("\n  {} seed {}: {}", m.variant, m.seed, m.reason);
    throw UserError(fmt::format("{}: expected evaluations of {} and {} to rank, got none (evaluate with `rflab eval "
                                "--sweep FILE` first){}",
                                study.sweep ? study.sweep->file : table.source, metrics.fid, metrics.clip, why));
  }
  auto ranking = reports::rank_variants(table, options);
  if (!no_resampling.empty()) ranking.notes.push_back("Evaluation samples not resampled: " + no_resampling + ".");
  const std::string text = reports::render(format, table, ranking);
  write_output(text, out);
  return 0;
}

RFLAB_COMMAND(Command{
    "rank", "variants ranked by non-dominated sorting of (CLIP score, FID) per control setting (SPEC §6)",
    "usage: rflab rank (--sweep FILE | --db PATH | --csv FILE) [--db PATH] [--format md|csv|json]\n"
    "                  [--by all|steps|weights|dataset] [--fid METRIC] [--clip METRIC] [--samples N]\n"
    "                  [--resamples B] [--out FILE]\n\n"
    "Within each control setting (sampler setting x weights x dataset) and seed, the variants are\n"
    "sorted into Pareto fronts of (CLIP score up, FID down); a variant's rank is its mean front\n"
    "index (lower is better): R_all over every setting, R_5 over the 5-step ones, R_50 over the\n"
    "50-step ones at CFG 5.0 and R_50,all-cfg over every 50-step one (the paper's Table 1; --by\n"
    "steps|weights|dataset breaks R_all down instead). With several seeds, ranks are computed per\n"
    "seed and averaged, and a bootstrap over seeds gives each a 90% interval; the output says when\n"
    "the leaders' intervals overlap. Diverged runs rank behind every finite point; every missing\n"
    "evaluation is listed by run and setting.\n\n"
    "  --sweep FILE     the runs of a sweep file, read from --db (default results/rflab.db)\n"
    "  --db PATH        alone: every run of the database, variants named by their config differences\n"
    "  --csv FILE       results computed elsewhere: columns variant,setting,fid,clip and optional\n"
    "                   seed,weights,dataset,steps,cfg,n (S1-S6 take their steps and CFG from SPEC §5.3)\n"
    "  --fid METRIC     clip_fid (default: CLIP-FID on the evaluator mini-CLIP), classifier_fd, inception_fid\n"
    "  --clip METRIC    clip_score (default: raw mean cosine), clip_score_100 (torchmetrics convention)\n"
    "  --samples N      rank the evaluations with N samples (default: the N most of them share)\n"
    "  --resamples B    bootstrap resamples (default 1000)\n"
    "  --out FILE       write there (atomically) instead of standard output",
    rank_cmd});

}  // namespace
}  // namespace rflab::experiments
