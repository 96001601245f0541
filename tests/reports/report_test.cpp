// The report built from a database written through the store's API: every table has rows, every
// image is there, a failed run and a missing evaluation are shown, and scores and scaling read
// from the store match what was written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "reports/ranking.h"
#include "reports/report.h"
#include "reports/sample_bootstrap.h"
#include "eval/stats/npy.h"
#include "reports/scaling.h"
#include "reports/score_source.h"
#include "results/atomic_file.h"
#include "synthetic_study.h"
#include "tests/util/temp_dir.h"

using namespace rflab::reports;
namespace synth = rflab::reports::testing;
namespace fs = std::filesystem;

namespace {

class ReportTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  ReportInput input_of(const std::string& db) { return synth::report_input_of(db); }
  rflab::testing::TempDir tmp_;
  fs::path dir_{tmp_.path()};
};

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_F(ReportTest, ScoresFromTheStoreAreWhatWasWrittenAndMissingOnesAreListed) {
  synth::write_synthetic_study(path("r.db"), path("grids"));
  rflab::results::Store store(path("r.db"));
  const auto runs = study_runs_of_database(store);
  EXPECT_EQ(variants_of(runs), (std::vector<std::string>{"rf", "rf/lognorm(0.00, 1.00)", "eps/linear", "v/cos"}));
  const auto t = scores_from_store(store, runs, {});
  // 3 formulations x 2 seeds x 3 settings x 2 weights, less the dropped one.
  EXPECT_EQ(t.scores.size(), 3u * 2 * 3 * 2 - 1);
  for (const auto& s : t.scores) {
    EXPECT_EQ(s.n, 100);
    EXPECT_EQ(s.source.checkpoint_step, 400);
    EXPECT_EQ(s.source.git_commit, "abc123def4567890");
  }
  const auto r = rank_variants(t);
  bool failed = false, dropped = false;
  for (const auto& m : r.missing) {
    failed |= m.variant == "v/cos" && m.reason.find("run failed: CUDA out of memory") != std::string::npos;
    dropped |= m.variant == "eps/linear" && m.seed == 1 && m.setting == "S4 raw";
  }
  EXPECT_TRUE(failed);
  EXPECT_TRUE(dropped);
  // rf has the best figures everywhere: rank 1 in every setting, for each seed.
  EXPECT_EQ(r.variants[r.order.front()].variant, "rf");
  EXPECT_DOUBLE_EQ(r.variants[r.order.front()].mean[0], 1.0);
}

TEST_F(ReportTest, ADivergedRunRanksLastInEverySetting) {
  synth::SyntheticStudy o;
  o.failed_run = false;
  o.seeds = {0};
  o.drop_one = false;
  synth::write_synthetic_study(path("r.db"), path("grids"), o);
  {
    rflab::results::Store s(path("r.db"));
    synth::add_run(s, {{"formulation", "v/cos"}, {"model", {{"depth", 2}}}}, 0, path("grids"), false, 0, rflab::results::RunStatus::diverged);
  }
  rflab::results::Store store(path("r.db"));
  const auto r = rank_variants(scores_from_store(store, study_runs_of_database(store), {}));
  EXPECT_EQ(r.variants[r.order.back()].variant, "v/cos");
  EXPECT_DOUBLE_EQ(r.variants[r.order.back()].mean[0], 4.0);  // after the three finite fronts
}

TEST_F(ReportTest, TheReportHasEveryTableFilledEveryImageAndTheFailures) {
  synth::write_synthetic_study(path("r.db"), path("grids"));
  const Plotter plotter;
  const auto files = write_report(input_of(path("r.db")), path("out"), plotter);
  const std::string html = rflab::results::read_file(files.html);
  const std::string md = rflab::results::read_file(files.markdown);
  // Every table has a data row (std::regex overflows its stack on a page this size: plain finds).
  size_t tables = 0;
  for (size_t p = html.find("<table>"); p != std::string::npos; p = html.find("<table>", p + 1), ++tables) {
    const std::string body = html.substr(p, html.find("</table>", p) - p);
    EXPECT_NE(body.find("<td>"), std::string::npos) << body.substr(0, 200);
  }
  EXPECT_GE(tables, 6u);
  // Every image is inlined with data; no reference leaves the file.
  size_t images = 0;
  for (size_t p = html.find("<img "); p != std::string::npos; p = html.find("<img ", p + 1), ++images) {
    const size_t src = html.find("src=\"", p) + 5;
    const std::string value = html.substr(src, html.find('"', src) - src);
    EXPECT_EQ(value.rfind("data:image/", 0), 0u);
    EXPECT_GT(value.size(), 100u);
  }
  EXPECT_EQ(count(html, "http://"), count(html, "http://www.w3.org"));  // only XML namespaces, inside the SVG data
  EXPECT_EQ(images, files.plots.size() / 2 + 6);                        // every plot, and one grid per evaluated run
  if (plotter.available()) EXPECT_TRUE(files.skipped_plots.empty());
  for (const std::string s : {"run failed: CUDA out of memory", "S4 raw", "no evaluation", "abc123def456", "evalhash0123"})
    EXPECT_NE(html.find(s), std::string::npos) << s;
  EXPECT_NE(md.find("| variant | all | 5 steps | 50 steps | 50 steps, all CFG |"), std::string::npos);
  EXPECT_NE(md.find("1 of 7 runs are not done"), std::string::npos);
}

TEST_F(ReportTest, WithoutGnuplotTheTablesAreWrittenAndTheSkippedPlotsNamed) {
  synth::write_synthetic_study(path("r.db"), path("grids"));
  const auto files = write_report(input_of(path("r.db")), path("out"), Plotter("/nonexistent/gnuplot"));
  EXPECT_TRUE(files.plots.empty());
  EXPECT_FALSE(files.skipped_plots.empty());
  const std::string md = rflab::results::read_file(files.markdown);
  EXPECT_NE(md.find("## Plots not drawn"), std::string::npos);
  EXPECT_NE(md.find("apt-get install gnuplot-nox"), std::string::npos);
  EXPECT_NE(md.find("| variant | all |"), std::string::npos);
  EXPECT_FALSE(fs::exists(path("out/plots")) && !fs::is_empty(path("out/plots")));
}

TEST_F(ReportTest, ScalingReadsTheCurvesAndTheirFlopsFromTheStore) {
  synth::SyntheticStudy o;
  o.formulations = {"rf/lognorm(0.00, 1.00)"};
  o.depths = {1, 2, 3, 4};
  o.failed_run = false;
  o.drop_one = false;
  synth::write_synthetic_study(path("r.db"), path("grids"), o);
  rflab::results::Store store(path("r.db"));
  // Prompt following on the shapes dataset (Fig. 8, bottom row): rising with depth.
  for (const auto& r : study_runs_of_database(store))
    store.add_evaluation({r.row->id, 400, "ema", "S3", 50, 5.0, "prompt_score", 0.1 * r.depth + 0.01 * r.seed, 60,
                          "shapes-detector", "prompthash"});
  const auto d = scaling_from_store(store, study_runs_of_database(store));
  ASSERT_EQ(d.runs.size(), 8u);
  EXPECT_EQ(d.runs[0].curve.size(), 8u);
  EXPECT_DOUBLE_EQ(d.runs[0].curve[1].flops, 1e9 * 100);  // depth 1, step 100
  const auto a = analyse_scaling(d, PowerLawOptions{0.05, 50});
  EXPECT_EQ(a.depths, (std::vector<int>{1, 2, 3, 4}));
  ASSERT_EQ(a.fits.size(), 5u);  // the frontier and one per depth
  for (size_t k = 1; k < a.fits.size(); ++k) {
    ASSERT_TRUE(a.fits[k].error.empty()) << a.fits[k].error;
    EXPECT_NEAR(a.fits[k].fit.b, 0.4, 0.02) << a.fits[k].name;  // the curves were written as c + a·step^-0.4
  }
  ASSERT_EQ(a.efficiency.size(), 4u);
  // S4 (5 steps) and S5 (10 steps) against S3 (50 steps) at CFG 5, EMA weights.
  EXPECT_GT(a.efficiency[0].relative_drop.at(5), 0);
  EXPECT_TRUE(std::isnan(a.efficiency[0].relative_drop.at(20)));
  EXPECT_DOUBLE_EQ(a.efficiency[0].path_length, 31.0);
  // Correlations: lower loss goes with lower FID across depths in this construction.
  bool found = false;
  for (const auto& c : a.correlations)
    if (c.metric == "clip_fid" && c.setting == "S3 ema") {
      found = true;
      EXPECT_EQ(c.pearson.n, 8);
    }
  EXPECT_TRUE(found);
  // Deeper runs reach lower loss and, here, higher prompt following: a negative correlation.
  found = false;
  for (const auto& c : a.correlations)
    if (c.metric == "prompt_score" && c.setting == "S3 ema") {
      found = true;
      EXPECT_EQ(c.pearson.n, 8);
      EXPECT_LT(c.spearman.r, -0.8);
    }
  EXPECT_TRUE(found) << "the scaling analysis correlates validation loss with prompt following";
}

TEST(MarkdownToHtml, TablesListsHeadingsAndEscapes) {
  const std::string h = markdown_to_html("# T\n\na <b> & `c`\n\n| x | y\\|z |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n");
  EXPECT_NE(h.find("<h1>T</h1>"), std::string::npos);
  EXPECT_NE(h.find("a &lt;b&gt; &amp; <code>c</code>"), std::string::npos);
  EXPECT_NE(h.find("<th>y|z</th>"), std::string::npos);
  EXPECT_NE(h.find("<td>1</td><td>2</td>"), std::string::npos);
  EXPECT_NE(h.find("<li>two</li>"), std::string::npos);
  EXPECT_EQ(base64("Man"), "TWFu");
  EXPECT_EQ(base64("Ma"), "TWE=");
  EXPECT_EQ(base64("M"), "TQ==");
}

TEST_F(ReportTest, ResamplingTheEvaluationSamplesGivesIntervalsWithOneSeed) {
  synth::SyntheticStudy o;
  o.seeds = {0};
  o.failed_run = false;
  o.drop_one = false;
  synth::write_synthetic_study(path("r.db"), path("grids"), o);
  rflab::results::Store store(path("r.db"));
  const auto table = scores_from_store(store, study_runs_of_database(store), {});
  std::string why;
  const auto resampler = sample_resampler_from_store(store, table, &why);
  ASSERT_TRUE(resampler) << why;
  EXPECT_EQ(resampler->samples(), 100u);
  // The identity draw reproduces the stored figures; a random draw moves them.
  std::vector<size_t> all(100);
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto same = resampler->recompute(all);
  for (size_t k = 0; k < table.scores.size(); ++k) {
    EXPECT_NEAR(same.scores[k].fid, table.scores[k].fid, 1e-9 * table.scores[k].fid);
    EXPECT_NEAR(same.scores[k].clip, table.scores[k].clip, 1e-12);
  }
  Resampler rng(3);
  EXPECT_NE(resampler->draw(rng).scores[0].fid, table.scores[0].fid);

  const auto r = rank_variants(table, with_sample_resampling(store, table, RankOptions{RankBy::all, 200}, nullptr));
  EXPECT_EQ(r.interval_source, "over the evaluation samples");
  EXPECT_EQ(r.resamples, 200);
  for (const auto& v : r.variants) EXPECT_TRUE(v.interval[0].contains(v.mean[0])) << v.variant;
  EXPECT_EQ(r.verdict.find("One seed"), std::string::npos);
}

TEST_F(ReportTest, PerSampleFilesThatDisagreeWithTheStoredFiguresAreNotResampled) {
  synth::SyntheticStudy o;
  o.seeds = {0};
  o.failed_run = false;
  o.drop_one = false;
  synth::write_synthetic_study(path("r.db"), path("grids"), o);
  rflab::eval::write_npy(path("grids/run1/samples-S3-ema.npy"), synth::synthetic_samples(7.0, 1));
  rflab::results::Store store(path("r.db"));
  const auto table = scores_from_store(store, study_runs_of_database(store), {});
  std::string why;
  EXPECT_FALSE(sample_resampler_from_store(store, table, &why));
  EXPECT_NE(why.find("not the stored"), std::string::npos) << why;
  ScoreMetrics other;
  other.fid = "classifier_fd";
  EXPECT_FALSE(sample_resampler_from_store(store, scores_from_store(store, study_runs_of_database(store), other), &why));
}
