#include "reports/regression.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "reports/regression_format.h"
#include "reports/regression_history.h"
#include "reports/report.h"
#include "results/atomic_file.h"
#include "tests/reports/synthetic_canary.h"
#include "tests/util/temp_dir.h"

namespace rflab::reports {
namespace {

namespace fs = std::filesystem;
using testing::SeedFigures;
using testing::fake_commit;
using testing::store_canary;

class RegressionTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::make_unique<results::Store>((dir_ / "db.sqlite").string()); }
  void TearDown() override { store_.reset(); }
  CanaryFigures figures(int64_t id) {
    for (const auto& c : store_->canaries())
      if (c.id == id) return canary_figures(*store_, c);
    throw std::logic_error("no canary");
  }
  const MetricComparison& metric(const RegressionComparison& c, const std::string& name) {
    for (const auto& m : c.metrics)
      if (m.figure.metric == name) return m;
    throw std::logic_error("no metric " + name);
  }
  rflab::testing::TempDir tmp_;
  fs::path dir_{tmp_.path()};
  std::unique_ptr<results::Store> store_;
};

const std::vector<int64_t> kSeeds = {0, 1, 2, 3, 4};

SeedFigures base_figures() {
  return {{"val/native", {0.700, 0.705, 0.695, 0.702, 0.698}},
          {"clip_fid", {10.0, 10.5, 9.6, 10.2, 9.9}},
          {"clip_score", {0.300, 0.302, 0.298, 0.301, 0.299}},
          {"class_accuracy", {0.60, 0.62, 0.58, 0.61, 0.59}}};
}

TEST_F(RegressionTest, IdenticalFiguresAreUnchangedAndNotARegression) {
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures());
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, base_figures());
  const auto c = compare_canaries(figures(a), figures(b));
  ASSERT_EQ(c.metrics.size(), 4u);  // wall_seconds and the noise floor are not compared
  EXPECT_EQ(c.count(Verdict::unchanged), 4u);
  EXPECT_FALSE(c.regressed());
  EXPECT_NE(c.summary().find("4 unchanged"), std::string::npos) << c.summary();
}

TEST_F(RegressionTest, APlantedRegressionIsWorseInTheMetricsDirection) {
  auto bad = base_figures();
  for (auto& v : bad["val/native"]) v *= 1.2;        // lower is better: up 20%
  for (auto& v : bad["class_accuracy"]) v -= 0.2;    // higher is better: down 0.2
  for (auto& v : bad["clip_score"]) v += 0.05;       // higher is better: up
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures());
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, bad);
  const auto c = compare_canaries(figures(a), figures(b));
  EXPECT_EQ(metric(c, "val/native").verdict, Verdict::worse);
  EXPECT_EQ(metric(c, "class_accuracy").verdict, Verdict::worse);
  EXPECT_EQ(metric(c, "clip_score").verdict, Verdict::better);
  EXPECT_EQ(metric(c, "clip_fid").verdict, Verdict::unchanged);
  EXPECT_TRUE(c.regressed());
  const auto& v = metric(c, "val/native");
  EXPECT_NEAR(v.difference.difference, 0.2 * 0.7, 1e-9);
  EXPECT_GT(v.difference.ci.lo, 0);
  // And the reverse direction is an improvement, not a regression.
  const auto back = compare_canaries(figures(b), figures(a));
  EXPECT_EQ(metric(back, "val/native").verdict, Verdict::better);
  EXPECT_EQ(metric(back, "clip_score").verdict, Verdict::worse);
}

TEST_F(RegressionTest, DifferencesInsideTheNoiseOrBelowTheMinimumEffectAreNumericsOnly) {
  auto noisy = base_figures();
  noisy["clip_fid"] = {9.9, 10.4, 9.8, 10.3, 9.7};                        // shuffled noise: interval holds 0
  for (auto& v : noisy["val/native"]) v += 0.015;                          // clear but < 3% of 0.7
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures());
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, noisy);
  const auto c = compare_canaries(figures(a), figures(b));
  EXPECT_EQ(metric(c, "clip_fid").verdict, Verdict::numerics_only);
  EXPECT_TRUE(metric(c, "clip_fid").difference.ci.contains(0.0));
  const auto& v = metric(c, "val/native");
  EXPECT_EQ(v.verdict, Verdict::numerics_only);
  EXPECT_FALSE(v.difference.ci.contains(0.0));
  EXPECT_NE(v.reason.find("minimum effect"), std::string::npos) << v.reason;
  EXPECT_FALSE(c.regressed());
  // A smaller minimum effect makes the same clear shift a regression.
  RegressionOptions strict;
  strict.min_effect_scale = 0.1;
  EXPECT_EQ(metric(compare_canaries(figures(a), figures(b), strict), "val/native").verdict, Verdict::worse);
}

TEST_F(RegressionTest, ADivergedHeadIsWorseAndAMissingFigureIncomparable) {
  auto head = base_figures();
  head["val/native"][2] = std::nan("");
  head.erase("class_accuracy");
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures());
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, head);
  const auto c = compare_canaries(figures(a), figures(b));
  EXPECT_EQ(metric(c, "val/native").verdict, Verdict::worse);
  EXPECT_EQ(metric(c, "class_accuracy").verdict, Verdict::incomparable);
  EXPECT_NE(metric(c, "class_accuracy").reason.find("not measured at head"), std::string::npos);
}

TEST_F(RegressionTest, FindsTheCanaryOfAStoredCommitPrefixWithoutACheckout) {
  store_canary(*store_, fake_commit(1), kSeeds, base_figures());
  const auto all = store_->canaries();
  const auto found = find_canary(all, "canary", fake_commit(1).substr(0, 10), dir_.string());
  ASSERT_TRUE(found.canary);
  EXPECT_EQ(found.commit, fake_commit(1));
  const auto none = find_canary(all, "canary", "bbbbbbbb", dir_.string());
  EXPECT_FALSE(none.canary);
  EXPECT_NE(none.message.find("names no commit"), std::string::npos) << none.message;
  const auto other = find_canary(all, "other-suite", fake_commit(1), dir_.string());
  EXPECT_FALSE(other.canary);
  EXPECT_NE(other.message.find("no stored canary of suite 'other-suite'"), std::string::npos) << other.message;
}

TEST_F(RegressionTest, JunitIsValidXmlWithOneTestcasePerFigureAndAFailurePerRegression) {
  auto bad = base_figures();
  for (auto& v : bad["val/native"]) v *= 1.2;
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures(), "base <&> \"quoted\"");
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, bad, "head");
  const auto c = compare_canaries(figures(a), figures(b));
  const std::string xml = regression_junit(c);
  const auto path = dir_ / "junit.xml";
  std::ofstream(path) << xml;
  if (std::system("xmllint --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed (scripts/setup)";
  const std::string schema = std::string(RFLAB_SOURCE_DIR) + "/tests/data/junit.xsd";
  EXPECT_EQ(std::system(("xmllint --noout --schema '" + schema + "' '" + path.string() + "' 2>/dev/null").c_str()), 0) << xml;
  // Counted through xmllint's XPath, not by the writer's own counters.
  auto count = [&](const std::string& xpath) {
    const std::string cmd = "xmllint --xpath '" + xpath + "' '" + path.string() + "' 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[64] = {0};
    const size_t n = fread(buf, 1, sizeof buf - 1, p);
    pclose(p);
    std::string out(buf, n);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  };
  EXPECT_EQ(count("count(//testcase)"), "4");
  EXPECT_EQ(count("count(//testcase/failure)"), "1");
  EXPECT_EQ(count("string(//testcase[failure]/@name)"), "val/native (ema)");
  EXPECT_EQ(count("string(/testsuites/@failures)"), "1");
  // A broken document is rejected by the same check (the check can fail).
  std::ofstream(dir_ / "broken.xml") << xml.substr(0, xml.size() / 2);
  EXPECT_NE(std::system(("xmllint --noout --schema '" + schema + "' '" + (dir_ / "broken.xml").string() + "' 2>/dev/null").c_str()), 0);
}

TEST_F(RegressionTest, MarkdownAndJsonCarryTheVerdictsAndEverySeed) {
  auto bad = base_figures();
  for (auto& v : bad["clip_fid"]) v *= 1.5;
  const auto a = store_canary(*store_, fake_commit(1), kSeeds, base_figures(), "base");
  const auto b = store_canary(*store_, fake_commit(2), kSeeds, bad, "head");
  const auto c = compare_canaries(figures(a), figures(b));
  const std::string md = regression_markdown(c);
  EXPECT_NE(md.find("REGRESSION in clip_fid (S4, ema)"), std::string::npos) << md;
  EXPECT_NE(md.find("| clip_fid (S4, ema) | lower |"), std::string::npos) << md;
  const auto j = regression_json(c);
  EXPECT_TRUE(j.at("regressed").get<bool>());
  for (const auto& m : j.at("metrics"))
    if (m.at("metric") == "clip_fid") {
      EXPECT_EQ(m.at("head").size(), 5u);
      EXPECT_DOUBLE_EQ(m.at("head")[0].get<double>(), 15.0);
      EXPECT_EQ(m.at("verdict"), "worse");
    }
}

// History: one step planted in val/native at commit 6 of 12, none in the flat noisy clip_score.
TEST_F(RegressionTest, HistoryMarksAPlantedStepAndNothingInAFlatNoisySeries) {
  Resampler r(7);
  for (int k = 0; k < 12; ++k) {
    SeedFigures f;
    for (size_t s = 0; s < kSeeds.size(); ++s) {
      f["val/native"].push_back((k >= 6 ? 0.80 : 0.70) + 0.005 * testing::normal(r));
      f["clip_score"].push_back(0.30 + 0.003 * testing::normal(r));
    }
    store_canary(*store_, fake_commit(k), kSeeds, f, "commit " + std::to_string(k), 1000 + k);
  }
  store_canary(*store_, fake_commit(99), kSeeds, base_figures(), "dirty", 5000, true);
  const auto h = regression_history(*store_, "canary", dir_.string());
  ASSERT_EQ(h.commits.size(), 12u);
  EXPECT_NE(h.order.find("commit time"), std::string::npos) << h.order;
  EXPECT_EQ(h.commits[3].canary.record.commit_subject, "commit 3");
  ASSERT_EQ(h.metrics.size(), 2u);
  for (const auto& m : h.metrics) {
    if (m.figure.metric == "val/native") {
      ASSERT_EQ(m.changes.size(), 1u);
      EXPECT_EQ(m.changes[0].index, 6u);
      EXPECT_NEAR(m.changes[0].after - m.changes[0].before, 0.1, 0.01);
    } else {
      EXPECT_TRUE(m.changes.empty()) << m.figure.name();
    }
  }
  const std::string md = history_markdown(h);
  EXPECT_NE(md.find("val/native (ema): 0.7"), std::string::npos) << md;
  EXPECT_NE(md.find("1 canaries of dirty trees left out"), std::string::npos) << md;
  const auto one = regression_history(*store_, "canary", dir_.string(), "clip_score");
  ASSERT_EQ(one.metrics.size(), 1u);
  EXPECT_THROW(regression_history(*store_, "canary", dir_.string(), "no_such_metric"), std::invalid_argument);
  const auto fig = history_figure(h, h.metrics[1]);
  EXPECT_EQ(fig.series.size(), 2u);  // the mean band and the step marker
}

// The report's regression page: linked from the index, the history table, one plot per figure.
TEST_F(RegressionTest, TheReportGainsARegressionPageWhenTheDatabaseHoldsCanaries) {
  Resampler r(3);
  for (int k = 0; k < 4; ++k) {
    SeedFigures f;
    for (size_t s = 0; s < kSeeds.size(); ++s) f["val/native"].push_back((k >= 2 ? 0.9 : 0.7) + 0.005 * testing::normal(r));
    store_canary(*store_, fake_commit(k), kSeeds, f, "commit " + std::to_string(k), 1000 + k);
  }
  ReportInput in;
  in.title = "canaries";
  in.command = "rflab report --db db.sqlite";
  in.regression = regression_history(*store_, "canary", dir_.string());
  const Plotter plotter;
  const auto files = write_report(in, (dir_ / "report").string(), plotter);
  ASSERT_FALSE(files.regression_html.empty());
  const std::string index = results::read_file(files.html), page = results::read_file(files.regression_html);
  EXPECT_NE(index.find("href=\"regression.html\""), std::string::npos);
  EXPECT_NE(index.find("1 step change"), std::string::npos);
  EXPECT_NE(page.find("commit 3"), std::string::npos);
  EXPECT_NE(page.find("Step changes"), std::string::npos);
  EXPECT_NE(results::read_file(files.regression_markdown).find("| `aaaaaaaaaaaa` | commit 0 |"), std::string::npos);
  if (plotter.available()) {
    EXPECT_NE(page.find("data:image/svg+xml;base64,"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir_ / "report" / "plots" / "regression-val-native-val-ema.svg"));
  }
}

}  // namespace
}  // namespace rflab::reports
