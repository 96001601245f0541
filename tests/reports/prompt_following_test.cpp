// The Table 5 (prompt following) layout of the report, read from a store written through its own
// API: two variants x two seeds with known prompt rates at several settings and checkpoints, and a
// third variant without prompt rows. Per-run figures must be the stored ones at the reference
// setting (EMA, most steps, highest CFG) of the latest checkpoint; the per-variant rows the mean
// over seeds with the Student-t interval, checked against its closed form for two seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reports/prompt_following.h"
#include "reports/report.h"
#include "results/atomic_file.h"
#include "results/metric_names.h"
#include "results/run_config.h"
#include "results/store.h"
#include "tests/util/temp_dir.h"

using namespace rflab::reports;
namespace results = rflab::results;

namespace {

// One figure as `rflab eval` stores it: the rate and its 95% interval.
struct StoredRate {
  double rate, low, high;
};

// The overall score and the six GenEval categories (in geneval_categories() order) of one run.
struct StoredPrompts {
  StoredRate overall;
  std::vector<StoredRate> categories;
};

constexpr int64_t kPromptsPerCategory = 385;
constexpr int64_t kCheckpoint = 400;
const double kPi = std::acos(-1.0);

// Known figures. The overall rate is the mean of the six category rates, as the evaluator writes it.
const StoredPrompts kRfSeed0{{0.612, 0.583, 0.640},
                             {{0.980, 0.962, 0.990}, {0.600, 0.550, 0.648}, {0.450, 0.401, 0.500},
                              {0.700, 0.653, 0.743}, {0.300, 0.256, 0.348}, {0.642, 0.593, 0.688}}};
const StoredPrompts kRfSeed1{{0.640, 0.612, 0.667},
                             {{1.000, 0.990, 1.000}, {0.620, 0.571, 0.667}, {0.470, 0.421, 0.520},
                              {0.720, 0.673, 0.762}, {0.320, 0.275, 0.369}, {0.710, 0.663, 0.753}}};
const StoredPrompts kEpsSeed0{{0.435, 0.405, 0.465},
                              {{0.910, 0.880, 0.940}, {0.400, 0.370, 0.430}, {0.250, 0.220, 0.280},
                               {0.600, 0.570, 0.630}, {0.100, 0.070, 0.130}, {0.350, 0.320, 0.380}}};
const StoredPrompts kEpsSeed1{{0.440, 0.410, 0.470},
                              {{0.930, 0.900, 0.960}, {0.360, 0.330, 0.390}, {0.270, 0.240, 0.300},
                               {0.560, 0.530, 0.590}, {0.140, 0.110, 0.170}, {0.380, 0.350, 0.410}}};

// Every figure at `value`: the rows of settings and checkpoints the table must not read.
StoredPrompts flat_prompts(double value) {
  return {{value, value, value}, std::vector<StoredRate>(6, {value, value, value})};
}

int64_t register_run(results::Store& s, const std::string& formulation, int64_t seed) {
  nlohmann::json cfg = {{"formulation", formulation}, {"train", {{"seed", seed}}}};
  const auto full = results::RunConfig::parse(cfg, "prompt-following test");
  const int64_t id = s.register_run(
      {full.canonical_json(), full.hash(), seed, {"abc123def4567890", false, "host", "1.13", "openblas", "cpu", 2}, std::nullopt, ""});
  s.set_status(id, results::RunStatus::done, "");
  return id;
}

void add_figure(results::Store& s, int64_t id, int64_t step, const std::string& setting, int steps, double cfg,
                const std::string& weights, const std::string& metric, const StoredRate& r, int64_t n) {
  namespace m = results::metric;
  for (const auto& [name, value] : std::vector<std::pair<std::string, double>>{
           {metric, r.rate}, {metric + m::kIntervalLowSuffix, r.low}, {metric + m::kIntervalHighSuffix, r.high}})
    s.add_evaluation({id, step, weights, setting, steps, cfg, name, value, n, kPromptFeatureSpace, "detectorhash"});
}

void add_prompt_rows(results::Store& s, int64_t id, int64_t step, const std::string& setting, int steps, double cfg,
                     const std::string& weights, const StoredPrompts& p) {
  const auto& tags = geneval_categories();
  add_figure(s, id, step, setting, steps, cfg, weights, results::metric::kPromptScore, p.overall,
             kPromptsPerCategory * static_cast<int64_t>(tags.size()));
  for (size_t c = 0; c < tags.size(); ++c)
    add_figure(s, id, step, setting, steps, cfg, weights, results::metric::kPromptCategoryPrefix + tags[c], p.categories[c],
               kPromptsPerCategory);
}

// A run evaluated like a shapes run: the known figures at S3 with EMA weights (50 steps, CFG 5) of
// the last checkpoint; other figures at an earlier checkpoint, at S3 raw, S1 ema (CFG 1) and S4 ema
// (5 steps); a CLIP-FID row too, which the table ignores.
void add_shapes_run(results::Store& s, const std::string& formulation, int64_t seed, const StoredPrompts& p) {
  const int64_t id = register_run(s, formulation, seed);
  add_prompt_rows(s, id, kCheckpoint, "S3", 50, 5.0, "ema", p);
  add_prompt_rows(s, id, kCheckpoint, "S3", 50, 5.0, "raw", flat_prompts(0.33));
  add_prompt_rows(s, id, kCheckpoint, "S1", 50, 1.0, "ema", flat_prompts(0.11));
  add_prompt_rows(s, id, kCheckpoint, "S4", 5, 5.0, "ema", flat_prompts(0.22));
  add_prompt_rows(s, id, kCheckpoint / 2, "S3", 50, 5.0, "ema", flat_prompts(0.05));
  s.add_evaluation({id, kCheckpoint, "ema", "S3", 50, 5.0, results::metric::kClipFid, 12.5, 100, "mini-clip-evaluator", "evalhash"});
}

// rf and eps/linear with seeds 0 and 1 and prompt rows; v/cos evaluated without them.
void write_prompt_study(const std::string& db) {
  results::Store s(db);
  add_shapes_run(s, "rf", 0, kRfSeed0);
  add_shapes_run(s, "rf", 1, kRfSeed1);
  add_shapes_run(s, "eps/linear", 0, kEpsSeed0);
  add_shapes_run(s, "eps/linear", 1, kEpsSeed1);
  const int64_t plain = register_run(s, "v/cos", 0);
  s.add_evaluation({plain, kCheckpoint, "ema", "S3", 50, 5.0, results::metric::kClipFid, 20.0, 100, "mini-clip-evaluator", "evalhash"});
}

// The closed form of the two-seed row: mean (a + b)/2, s/√2 = |a − b|/2, and t(0.975, 1) — the
// Cauchy quantile tan(π(0.975 − 0.5)) — clipped to [0, 1].
PromptRate two_seed_mean(double a, double b) {
  const double mean = (a + b) / 2, half = std::tan(kPi * 0.475) * std::abs(a - b) / 2;
  return {mean, {std::max(0.0, mean - half), std::min(1.0, mean + half)}, 0};
}

void expect_stored(const std::optional<PromptRate>& got, const StoredRate& want, int64_t n, const std::string& where) {
  ASSERT_TRUE(got.has_value()) << where;
  EXPECT_DOUBLE_EQ(got->rate, want.rate) << where;
  EXPECT_DOUBLE_EQ(got->ci.lo, want.low) << where;
  EXPECT_DOUBLE_EQ(got->ci.hi, want.high) << where;
  EXPECT_EQ(got->n, n) << where;
}

void expect_mean(const std::optional<PromptRate>& got, const StoredRate& a, const StoredRate& b, int64_t n, const std::string& where) {
  ASSERT_TRUE(got.has_value()) << where;
  const PromptRate want = two_seed_mean(a.rate, b.rate);
  EXPECT_NEAR(got->rate, want.rate, 1e-12) << where;
  EXPECT_NEAR(got->ci.lo, want.ci.lo, 1e-9) << where;
  EXPECT_NEAR(got->ci.hi, want.ci.hi, 1e-9) << where;
  EXPECT_EQ(got->n, 2 * n) << where;
}

results::EvaluationRow prompt_row(const std::string& setting, int steps, double cfg, const std::string& weights,
                                  const std::string& feature_space = kPromptFeatureSpace) {
  return {1, kCheckpoint, weights, setting, steps, cfg, results::metric::kPromptScore, 0.5, 2310, feature_space, ""};
}

class PromptFollowingTest : public ::testing::Test {
 protected:
  rflab::testing::TempDir tmp_;
  std::string db_ = (std::filesystem::path(tmp_.path()) / "p.db").string();
};

}  // namespace

TEST(PromptFollowing, ReferenceSettingIsEmaThenMostStepsThenHighestCfg) {
  std::vector<results::EvaluationRow> rows = {prompt_row("S1", 50, 1.0, "ema"), prompt_row("S3", 50, 5.0, "raw"),
                                              prompt_row("S4", 5, 5.0, "ema"), prompt_row("S3", 50, 5.0, "ema"),
                                              prompt_row("S2", 50, 2.5, "ema")};
  // Rows that are not prompt rows never choose: another metric, another feature space.
  rows.push_back({1, kCheckpoint, "ema", "S9", 100, 9.0, results::metric::kClipFid, 10, 100, "mini-clip-evaluator", ""});
  rows.push_back(prompt_row("S8", 100, 9.0, "ema", "mini-clip-evaluator"));
  auto key = reference_prompt_setting(rows);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->name(), "S3 ema");
  EXPECT_EQ(key->steps, 50);
  EXPECT_DOUBLE_EQ(key->cfg, 5.0);
  // Without EMA rows, the raw weights' setting with the most steps, then the highest CFG.
  key = reference_prompt_setting({prompt_row("S1", 50, 1.0, "raw"), prompt_row("S4", 5, 5.0, "raw"), prompt_row("S3", 50, 5.0, "raw")});
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->name(), "S3 raw");
  EXPECT_FALSE(reference_prompt_setting({rows[5], rows[6]}).has_value());
}

TEST_F(PromptFollowingTest, EachRunAtTheReferenceSettingThenItsVariantsMeanOverSeeds) {
  write_prompt_study(db_);
  results::Store store(db_);
  const auto t = prompt_following_table(store, study_runs_of_database(store));
  ASSERT_TRUE(t.has_value());
  // rf's two runs and their mean, then eps/linear's; v/cos has no prompt rows and is absent.
  ASSERT_EQ(t->rows.size(), 6u);
  const std::vector<std::string> variants = {"rf", "rf", "rf", "eps/linear", "eps/linear", "eps/linear"};
  const std::vector<std::optional<int64_t>> seeds = {0, 1, std::nullopt, 0, 1, std::nullopt};
  for (size_t i = 0; i < t->rows.size(); ++i) {
    EXPECT_EQ(t->rows[i].variant, variants[i]) << i;
    EXPECT_EQ(t->rows[i].seed, seeds[i]) << i;
    EXPECT_EQ(t->rows[i].setting, "S3 ema (50 steps, CFG 5)") << i;
    ASSERT_EQ(t->rows[i].categories.size(), 6u) << i;
  }
  for (const auto& r : t->rows) EXPECT_NE(r.variant, "v/cos");
  EXPECT_EQ(t->rows[2].seeds, 2);
  EXPECT_EQ(t->rows[2].run_id, -1);
  const std::vector<const StoredPrompts*> stored = {&kRfSeed0, &kRfSeed1, nullptr, &kEpsSeed0, &kEpsSeed1, nullptr};
  for (size_t i = 0; i < t->rows.size(); ++i) {
    const auto& row = t->rows[i];
    if (stored[i]) {  // a run: the stored figures of S3 ema at the last checkpoint
      expect_stored(row.overall, stored[i]->overall, 6 * kPromptsPerCategory, row.variant + " overall");
      for (size_t c = 0; c < 6; ++c)
        expect_stored(row.categories[c], stored[i]->categories[c], kPromptsPerCategory, row.variant + " " + geneval_categories()[c]);
      continue;
    }
    const StoredPrompts &a = *stored[i - 2], &b = *stored[i - 1];  // a mean row follows its variant's two runs
    expect_mean(row.overall, a.overall, b.overall, 6 * kPromptsPerCategory, row.variant + " mean overall");
    for (size_t c = 0; c < 6; ++c)
      expect_mean(row.categories[c], a.categories[c], b.categories[c], kPromptsPerCategory,
                  row.variant + " mean " + geneval_categories()[c]);
  }
  // rf's single_object (0.98 and 1.0) reaches past 1 before clipping; the interval stops at 1.
  EXPECT_GT(0.99 + std::tan(kPi * 0.475) * 0.01, 1.0);
  EXPECT_DOUBLE_EQ(t->rows[2].categories[0]->ci.hi, 1.0);
  EXPECT_NE(t->caption.find("most steps, then the highest CFG"), std::string::npos);
  EXPECT_NE(t->caption.find("Student-t"), std::string::npos);
}

TEST_F(PromptFollowingTest, WithoutPromptRowsThereIsNoTableAndNoSection) {
  {
    results::Store s(db_);
    const int64_t id = register_run(s, "rf", 0);
    s.add_evaluation({id, kCheckpoint, "ema", "S3", 50, 5.0, results::metric::kClipFid, 20.0, 100, "mini-clip-evaluator", "evalhash"});
  }
  results::Store store(db_);
  const auto t = prompt_following_table(store, study_runs_of_database(store));
  EXPECT_FALSE(t.has_value());
  ReportInput in;
  in.title = "no prompts";
  in.command = "test";
  in.prompt_following = t;
  const auto files = write_report(in, (std::filesystem::path(tmp_.path()) / "out").string(), Plotter("/nonexistent/gnuplot"));
  EXPECT_EQ(results::read_file(files.markdown).find("Prompt following"), std::string::npos);
}

TEST_F(PromptFollowingTest, TheReportRendersTheTableInPercentWithIntervals) {
  write_prompt_study(db_);
  results::Store store(db_);
  const auto runs = study_runs_of_database(store);
  ReportInput in;
  in.title = "prompts";
  in.command = "test";
  in.variants = variants_of(runs);
  in.prompt_following = prompt_following_table(store, runs);
  const auto files = write_report(in, (std::filesystem::path(tmp_.path()) / "out").string(), Plotter("/nonexistent/gnuplot"));
  const std::string md = results::read_file(files.markdown), html = results::read_file(files.html);
  EXPECT_NE(md.find("## Prompt following (Table 5 layout)"), std::string::npos);
  EXPECT_NE(md.find("| variant | seed | setting | overall | single object | two objects | counting | colors | position | "
                    "color attribution |"),
            std::string::npos);
  EXPECT_NE(md.find("| rf | 0 | S3 ema (50 steps, CFG 5) | 61.2 [58.3, 64.0] | 98.0 [96.2, 99.0] | 60.0 [55.0, 64.8] | "
                    "45.0 [40.1, 50.0] | 70.0 [65.3, 74.3] | 30.0 [25.6, 34.8] | 64.2 [59.3, 68.8] |\n"),
            std::string::npos)
      << md;
  // The mean row by hand: mean ± 12.706·|a − b|/2, clipped to [0, 100].
  EXPECT_NE(md.find("| rf | mean of 2 | S3 ema (50 steps, CFG 5) | 62.6 [44.8, 80.4] | 99.0 [86.3, 100.0] | "
                    "61.0 [48.3, 73.7] | 46.0 [33.3, 58.7] | 71.0 [58.3, 83.7] | 31.0 [18.3, 43.7] | 67.6 [24.4, 100.0] |\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("v/cos"), std::string::npos);
  for (const std::string s : {"shapes detector reads each generated image", "Wilson", "mean of the six category rates"})
    EXPECT_NE(md.find(s), std::string::npos) << s;
  EXPECT_NE(html.find("<td>61.2 [58.3, 64.0]</td>"), std::string::npos);
}

TEST(PromptFollowing, CellsArePercentWithOneDecimalAndDashWhenAbsent) {
  EXPECT_EQ(prompt_rate_cell(PromptRate{0.6126, {0.58251, 0.64}, 385}), "61.3 [58.3, 64.0]");
  EXPECT_EQ(prompt_rate_cell(PromptRate{0.5, {kNaN, kNaN}, 385}), "50.0");
  EXPECT_EQ(prompt_rate_cell(PromptRate{}), "-");
  EXPECT_EQ(prompt_rate_cell(std::nullopt), "-");
}
