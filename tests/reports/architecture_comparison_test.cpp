// The architecture section of the report, read from a store written through its own API: three
// backbones at widths chosen per backbone, two seeds each, with known validation curves, training
// FLOPs, parameter counts, throughput and CLIP score / FID at two checkpoints. The table's cost
// figures must be the stored rows' (FLOPs per step = train/flops ÷ step, wall time per step =
// batch ÷ mean samples/s), the per-variant figures the mean over seeds with the Student-t interval
// (checked against its closed form for two seeds), and a figure a run did not store prints "—".
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "reports/architecture_comparison.h"
#include "reports/report.h"
#include "results/atomic_file.h"
#include "results/run_config.h"
#include "results/store.h"
#include "tests/util/temp_dir.h"

namespace rflab::reports {
namespace {

// t_{0.975, 1}: for two seeds the 95% interval is mean ± t·|a − b|/2.
constexpr double kT975Df1 = 12.706204736174698;
constexpr int64_t kArchBatch = 48;

struct ArchSpec {
  std::string backbone, conditioning;  // "" = the default (left out of the stored config)
  int64_t width;
  double final_loss;    // at step 400, seed 0; seed s adds s * loss_spread
  double loss_spread;
  double flops_per_step;
  double parameters;    // NaN: no model/parameters rows (a run from before they were stored)
  double rate;          // samples/s around which the logged rates vary
  double clip, fid;     // at checkpoint 400, seed 0
};

const std::vector<ArchSpec>& arch_specs() {
  static const std::vector<ArchSpec> v = {
      {"", "", 128, 0.300, 0.002, 1.5e9, 2.5e6, 900, 0.80, 20},                     // mmdit
      {"dit", "", 192, 0.350, 0.002, 2.0e9, 2.4e6, 700, 0.75, 30},                   // dit (adaln_zero)
      {"crossdit", "", 160, 0.301, 0.020, 1.25e9, std::nan(""), 1000, 0.79, 21},     // crossdit, older run
  };
  return v;
}

double arch_loss(const ArchSpec& a, int64_t seed, int64_t step) {
  return a.final_loss + static_cast<double>(seed) * a.loss_spread + 0.1 * static_cast<double>(400 - step) / 400;
}
double arch_rate(const ArchSpec& a, int64_t seed, int64_t step) {
  return a.rate + 10.0 * static_cast<double>((step / 50) % 3) + 5.0 * static_cast<double>(seed);
}
double arch_clip(const ArchSpec& a, int64_t seed, int64_t step) {
  return a.clip + 0.004 * static_cast<double>(seed) - (step == 200 ? 0.01 : 0);
}
double arch_fid(const ArchSpec& a, int64_t seed, int64_t step) {
  return a.fid + 1.5 * static_cast<double>(seed) + (step == 200 ? 5 : 0);
}

// Cumulative training FLOPs with an offset (say, FLOPs counted once at the start), so that
// only the last validation row's train/flops ÷ step gives the expected figure.
double arch_flops(const ArchSpec& a, int64_t step) { return a.flops_per_step * static_cast<double>(step) + 4e6; }

// A run as the trainer stores it: the canonical config leaves model.backbone and
// model.conditioning out at their defaults.
int64_t register_arch_run(results::Store& s, const std::string& backbone, const std::string& conditioning, int64_t width,
                          int64_t seed, results::RunStatus status = results::RunStatus::done) {
  const auto base = results::RunConfig::parse(
      {{"model", {{"depth", 2}, {"width", width}}}, {"train", {{"seed", seed}, {"batch_size", kArchBatch}}}}, "architecture test");
  nlohmann::json cfg = base.json();
  if (!backbone.empty()) cfg["model"]["backbone"] = backbone;
  if (!conditioning.empty()) cfg["model"]["conditioning"] = conditioning;
  const int64_t id = s.register_run({results::canonical_json(cfg), results::config_hash(cfg), seed,
                                     {"abc123def4567890", false, "host", "1.13", "openblas", "cpu", 2}, std::nullopt, ""});
  s.set_status(id, status, status == results::RunStatus::failed ? "CUDA out of memory (synthetic)" : "");
  return id;
}

// Curves, cost rows and evaluations at `checkpoints` of one spec's run.
void write_arch_rows(results::Store& s, int64_t id, const ArchSpec& a, int64_t seed, const std::vector<int64_t>& checkpoints) {
  for (int64_t step = 50; step <= 400; step += 50) {
    std::vector<std::pair<std::string, double>> row = {{"train/loss", 1.0}, {"train/samples_per_s", arch_rate(a, seed, step)}};
    if (step % 100 == 0) {
      row.push_back({"val/velocity", arch_loss(a, seed, step)});
      row.push_back({"train/flops", arch_flops(a, step)});
      if (!std::isnan(a.parameters)) row.push_back({"model/parameters", a.parameters});
    }
    s.append_metrics(id, step, row);
  }
  for (int64_t step : checkpoints) {
    s.add_evaluation({id, step, "ema", "S3", 50, 5.0, "clip_score", arch_clip(a, seed, step), 100, "mini-clip-evaluator", "evalhash"});
    s.add_evaluation({id, step, "ema", "S3", 50, 5.0, "clip_fid", arch_fid(a, seed, step), 100, "mini-clip-evaluator", "evalhash"});
  }
  // A setting at fewer steps with raw weights at the last checkpoint: not the one compared.
  s.add_evaluation({id, checkpoints.back(), "raw", "S4", 5, 5.0, "clip_score", 0.1, 100, "mini-clip-evaluator", "evalhash"});
  s.add_evaluation({id, checkpoints.back(), "raw", "S4", 5, 5.0, "clip_fid", 999, 100, "mini-clip-evaluator", "evalhash"});
}

// The three specs with two seeds each, and a failed uvit run.
void write_arch_study(const std::string& db, const std::vector<int64_t>& checkpoints) {
  results::Store s(db);
  for (const auto& a : arch_specs())
    for (int64_t seed : {0, 1}) write_arch_rows(s, register_arch_run(s, a.backbone, a.conditioning, a.width, seed), a, seed, checkpoints);
  register_arch_run(s, "uvit", "", 144, 0, results::RunStatus::failed);
}

ArchitectureComparison arch_comparison_of(const std::string& db) {
  results::Store store(db);
  auto a = architecture_comparison(store, study_runs_of_database(store));
  EXPECT_TRUE(a.has_value());
  return a ? *a : ArchitectureComparison{};
}

// The cells of the Markdown table row that starts with `| first |`.
std::vector<std::string> arch_row(const std::string& md, const std::string& first) {
  const size_t p = md.find("| " + first + " |");
  if (p == std::string::npos) return {};
  const std::string line = md.substr(p, md.find('\n', p) - p);
  std::vector<std::string> cells;
  size_t start = 1;
  for (size_t bar = line.find('|', start); bar != std::string::npos; start = bar + 1, bar = line.find('|', start)) {
    std::string c = line.substr(start, bar - start);
    c.erase(0, c.find_first_not_of(' '));
    c.erase(c.find_last_not_of(' ') + 1);
    cells.push_back(c);
  }
  return cells;
}

class ArchitectureComparisonTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (std::filesystem::path(tmp_.path()) / name).string(); }
  rflab::testing::TempDir tmp_;
};

TEST_F(ArchitectureComparisonTest, VariantsAreNamedByArchitectureAndFailedRunsAreLeftOut) {
  write_arch_study(path("a.db"), {400});
  const auto a = arch_comparison_of(path("a.db"));
  EXPECT_EQ(a.variants, (std::vector<std::string>{"mmdit", "dit (adaln_zero)", "crossdit", "uvit"}));
  ASSERT_EQ(a.summary.size(), 3u);
  EXPECT_EQ(a.summary[0].variant, "mmdit");
  EXPECT_EQ(a.summary[1].variant, "dit (adaln_zero)");
  EXPECT_EQ(a.summary[2].variant, "crossdit");
  EXPECT_EQ(a.summary[1].shape, "2 × 192");
  EXPECT_EQ(a.runs.size(), 6u);
  bool failed = false;
  for (const auto& n : a.notes) failed |= n.find("uvit seed 0") != std::string::npos && n.find("failed") != std::string::npos;
  EXPECT_TRUE(failed);
}

TEST_F(ArchitectureComparisonTest, CostFiguresAreTheStoredRows) {
  write_arch_study(path("a.db"), {400});
  const auto a = arch_comparison_of(path("a.db"));
  ASSERT_EQ(a.runs.size(), 6u);
  for (const auto& r : a.runs) {
    const auto& spec = arch_specs()[r.variant == "mmdit" ? 0 : r.variant == "crossdit" ? 2 : 1];
    // train/flops ÷ step at the last validation row.
    EXPECT_DOUBLE_EQ(r.flops_per_step, arch_flops(spec, 400) / 400) << r.variant;
    // batch ÷ the mean of the run's samples/s rows.
    double sum = 0;
    for (int64_t step = 50; step <= 400; step += 50) sum += arch_rate(spec, r.seed, step);
    EXPECT_DOUBLE_EQ(r.seconds_per_step, kArchBatch / (sum / 8)) << r.variant;
    EXPECT_EQ(r.batch_size, kArchBatch);
    EXPECT_DOUBLE_EQ(r.final_loss, arch_loss(spec, r.seed, 400));
    if (std::isnan(spec.parameters)) EXPECT_TRUE(std::isnan(r.parameters));
    else EXPECT_DOUBLE_EQ(r.parameters, spec.parameters);
  }
  const std::string md = architecture_markdown(a);
  // architecture | seeds | depth × width | parameters | FLOPs / step | wall time / step | loss | clip | fid | checkpoint
  const auto mmdit = arch_row(md, "mmdit");
  ASSERT_EQ(mmdit.size(), 10u) << md;
  EXPECT_EQ(mmdit[1], "0, 1");
  EXPECT_EQ(mmdit[2], "2 × 128");
  EXPECT_EQ(mmdit[3], "2.5 M");
  EXPECT_EQ(mmdit[4], "1.5 GFLOP");
  EXPECT_EQ(mmdit[9], "400");
  const auto cross = arch_row(md, "crossdit");
  ASSERT_EQ(cross.size(), 10u) << md;
  EXPECT_EQ(cross[3], "—");  // no model/parameters rows
  EXPECT_EQ(cross[4], "1.25 GFLOP");
  EXPECT_NE(md.find("crossdit seed 1 (run 6): no model/parameters rows"), std::string::npos) << md;
}

TEST_F(ArchitectureComparisonTest, VariantFiguresAreMeansOverSeedsWithTheStudentTInterval) {
  write_arch_study(path("a.db"), {400});
  const auto a = arch_comparison_of(path("a.db"));
  ASSERT_EQ(a.summary.size(), 3u);
  ASSERT_TRUE(a.setting.has_value());
  EXPECT_EQ(a.setting_label(), "S3 ema (50 steps, CFG 5), N = 100");  // EMA and 50 steps, not S4 raw
  for (size_t v = 0; v < 3; ++v) {
    const auto& spec = arch_specs()[v];
    const auto& s = a.summary[v];
    auto expect_mean = [&](const SeedMean& m, double x0, double x1, const char* what) {
      const double mean = (x0 + x1) / 2, half = kT975Df1 * std::abs(x0 - x1) / 2;
      EXPECT_EQ(m.k, 2) << what;
      EXPECT_NEAR(m.mean, mean, 1e-12 * std::abs(mean)) << what << " " << s.variant;
      EXPECT_NEAR(m.ci.lo, mean - half, 1e-9 * std::abs(mean)) << what << " " << s.variant;
      EXPECT_NEAR(m.ci.hi, mean + half, 1e-9 * std::abs(mean)) << what << " " << s.variant;
    };
    expect_mean(s.final_loss, arch_loss(spec, 0, 400), arch_loss(spec, 1, 400), "final loss");
    expect_mean(s.clip, arch_clip(spec, 0, 400), arch_clip(spec, 1, 400), "clip");
    expect_mean(s.fid, arch_fid(spec, 0, 400), arch_fid(spec, 1, 400), "fid");
    double sum0 = 0, sum1 = 0;
    for (int64_t step = 50; step <= 400; step += 50) sum0 += arch_rate(spec, 0, step), sum1 += arch_rate(spec, 1, step);
    expect_mean(s.seconds_per_step, kArchBatch / (sum0 / 8), kArchBatch / (sum1 / 8), "seconds per step");
    // The mean curve at step 200.
    ASSERT_EQ(s.curve.size(), 4u);
    EXPECT_EQ(s.curve[1].step, 200);
    expect_mean(s.curve[1].loss, arch_loss(spec, 0, 200), arch_loss(spec, 1, 200), "curve");
    EXPECT_DOUBLE_EQ(s.curve[1].flops, arch_flops(spec, 200));
  }
  // The table prints the mean and its interval.
  const auto& m = a.summary[0].final_loss;
  const auto row = arch_row(architecture_markdown(a), "mmdit");
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(row[6], fmt::format("{:.4f} [{:.4f}, {:.4f}]", m.mean, m.ci.lo, m.ci.hi));
  EXPECT_FALSE(a.several_checkpoints());
}

TEST_F(ArchitectureComparisonTest, DifferencesSayWhetherTheyAreInsideTheSeedNoise) {
  write_arch_study(path("a.db"), {400});
  const auto a = arch_comparison_of(path("a.db"));
  auto find = [&](const std::string& figure, const std::string& other) -> const ArchitectureDifference* {
    for (const auto& d : a.differences)
      if (d.figure == figure && d.other == other) return &d;
    return nullptr;
  };
  // mmdit has the lowest final loss; dit is 0.05 behind with a spread of 0.002, crossdit 0.01 behind
  // with a spread of 0.02 across its seeds.
  const auto* dit = find("final val/velocity", "dit (adaln_zero)");
  const auto* cross = find("final val/velocity", "crossdit");
  ASSERT_TRUE(dit && cross);
  EXPECT_EQ(dit->best, "mmdit");
  EXPECT_NEAR(dit->welch.difference, 0.05, 1e-12);
  ASSERT_TRUE(dit->inside_noise.has_value());
  EXPECT_FALSE(*dit->inside_noise);
  ASSERT_TRUE(cross->inside_noise.has_value());
  EXPECT_TRUE(*cross->inside_noise);
  // mmdit has the best CLIP score and FID too.
  const auto* clip = find("clip_score", "dit (adaln_zero)");
  ASSERT_TRUE(clip);
  EXPECT_EQ(clip->best, "mmdit");
  EXPECT_NEAR(clip->welch.difference, -0.05, 1e-12);
  const std::string md = architecture_markdown(a);
  EXPECT_NE(md.find("- final val/velocity: crossdit − mmdit = +0.0100 ["), std::string::npos) << md;
  EXPECT_NE(md.find("inside the seed noise"), std::string::npos);
  EXPECT_NE(md.find("beyond the seed noise"), std::string::npos);
}

TEST_F(ArchitectureComparisonTest, SampleFiguresAtSeveralCheckpointsGetATableAndPlots) {
  write_arch_study(path("a.db"), {200, 400});
  const auto a = arch_comparison_of(path("a.db"));
  ASSERT_TRUE(a.several_checkpoints());
  const auto& dit = a.summary[1];
  ASSERT_EQ(dit.checkpoints.size(), 2u);
  EXPECT_EQ(dit.checkpoints[0].step, 200);
  EXPECT_NEAR(dit.checkpoints[0].fid.mean, (arch_fid(arch_specs()[1], 0, 200) + arch_fid(arch_specs()[1], 1, 200)) / 2, 1e-12);
  EXPECT_NEAR(dit.fid.mean, (arch_fid(arch_specs()[1], 0, 400) + arch_fid(arch_specs()[1], 1, 400)) / 2, 1e-12);  // the last
  const std::string md = architecture_markdown(a);
  EXPECT_NE(md.find("| architecture | checkpoint step | seeds | clip_score | clip_fid |"), std::string::npos) << md;
  std::vector<std::string> names;
  for (const auto& f : architecture_figures(a)) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"architecture-loss-vs-steps", "architecture-loss-vs-flops", "architecture-clip-vs-step",
                                             "architecture-fid-vs-step"}));
  // One checkpoint: the table holds the final figures, and there are no checkpoint plots.
  write_arch_study(path("b.db"), {400});
  EXPECT_EQ(architecture_figures(arch_comparison_of(path("b.db"))).size(), 2u);
  {  // One checkpoint per run, chosen per run (say, at the lowest validation loss): no trajectory.
    results::Store s(path("c.db"));
    for (size_t v = 0; v < 2; ++v)
      for (int64_t seed : {0, 1})
        write_arch_rows(s, register_arch_run(s, arch_specs()[v].backbone, "", arch_specs()[v].width, seed), arch_specs()[v], seed,
                        {seed == 0 ? 300 : 400});
  }
  const auto c = arch_comparison_of(path("c.db"));
  EXPECT_FALSE(c.several_checkpoints());
  EXPECT_EQ(c.summary[0].final_checkpoints, (std::vector<int64_t>{300, 400}));
  EXPECT_NEAR(c.summary[0].fid.mean, (arch_fid(arch_specs()[0], 0, 300) + arch_fid(arch_specs()[0], 1, 400)) / 2, 1e-12);
  const auto row = arch_row(architecture_markdown(c), "mmdit");
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(row[9], "300, 400");
}

TEST_F(ArchitectureComparisonTest, TheSectionAppearsOnlyWhenTheArchitecturesDiffer) {
  {  // One backbone at two widths: a width study, not an architecture study.
    results::Store s(path("same.db"));
    for (int64_t width : {128, 192}) write_arch_rows(s, register_arch_run(s, "dit", "", width, 0), arch_specs()[1], 0, {400});
    EXPECT_FALSE(architecture_comparison(s, study_runs_of_database(s)).has_value());
    ReportInput in;
    in.title = "widths";
    in.runs = run_summaries(s, study_runs_of_database(s));
    const auto files = write_report(in, path("same-out"), Plotter("/nonexistent/gnuplot"));
    EXPECT_EQ(results::read_file(files.markdown).find("## Architectures"), std::string::npos);
  }
  write_arch_study(path("a.db"), {200, 400});
  results::Store store(path("a.db"));
  const auto runs = study_runs_of_database(store);
  ReportInput in;
  in.title = "backbones";
  in.variants = variants_of(runs);
  in.runs = run_summaries(store, runs);
  in.architecture = architecture_comparison(store, runs);
  ASSERT_TRUE(in.architecture.has_value());
  const Plotter plotter;
  const auto files = write_report(in, path("out"), plotter);
  const std::string md = results::read_file(files.markdown), html = results::read_file(files.html);
  EXPECT_NE(md.find("## Architectures"), std::string::npos);
  EXPECT_NE(html.find("<h2>Architectures</h2>"), std::string::npos);
  EXPECT_NE(html.find("<td>crossdit</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>—</td>"), std::string::npos);
  if (plotter.available()) {
    for (const std::string f : {"architecture-loss-vs-steps", "architecture-loss-vs-flops", "architecture-clip-vs-step"})
      EXPECT_TRUE(std::filesystem::exists(path("out/plots/" + f + ".svg"))) << f;
    EXPECT_NE(md.find("![Validation loss against training FLOPs"), std::string::npos);
  }
}

TEST_F(ArchitectureComparisonTest, BlockDesignsOfDitAreArchitecturesToo) {
  results::Store s(path("c.db"));
  for (const std::string c : {"adaln_zero", "in_context"})
    for (int64_t seed : {0, 1}) write_arch_rows(s, register_arch_run(s, "dit", c == "adaln_zero" ? "" : c, 192, seed), arch_specs()[1], seed, {400});
  const auto a = architecture_comparison(s, study_runs_of_database(s));
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(a->summary.size(), 2u);
  EXPECT_EQ(a->summary[0].variant, "dit (adaln_zero)");
  EXPECT_EQ(a->summary[1].variant, "dit (in_context)");
  // Identical figures: every difference is zero, inside the noise.
  for (const auto& d : a->differences) {
    EXPECT_DOUBLE_EQ(d.welch.difference, 0) << d.figure;
    ASSERT_TRUE(d.inside_noise.has_value());
    EXPECT_TRUE(*d.inside_noise);
  }
}

TEST_F(ArchitectureComparisonTest, WallTimePerStepIsTheTrainingPhaseOverTheSteps) {
  // A run with phase timings (two invocations, as a resumed run has, and a validation phase that
  // must not count) takes its wall time from them; the others keep their throughput rows.
  write_arch_study(path("a.db"), {400});
  int64_t timed_run = -1;
  {
    results::Store s(path("a.db"));
    timed_run = s.runs().front().id;
    for (const char* invocation : {"first", "second"}) {
      results::PhaseTiming t;
      t.invocation = invocation;
      t.command = "sweep run-one";
      t.run_id = timed_run;
      t.phase = results::Phase::training;
      t.seconds = 30;
      results::PhaseTiming v = t;
      v.phase = results::Phase::validation;
      v.seconds = 500;
      s.add_phase_timings({t, v});
    }
  }
  const auto a = arch_comparison_of(path("a.db"));
  bool seen = false;
  for (const auto& r : a.runs) {
    if (r.run_id != timed_run) continue;
    seen = true;
    EXPECT_DOUBLE_EQ(r.seconds_per_step, 60.0 / 400);
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace rflab::reports
