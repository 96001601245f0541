#include "sweeps/expand.h"

#include <gtest/gtest.h>

#include <set>

#include "results/formulation_name.h"
#include "results/run_config.h"
#include "tests/sweeps/sweep_test_util.h"

namespace rflab::sweeps {
namespace {

using nlohmann::json;
using results::paper61_names;
using testing::shipped;
using testing::SweepText;

SweepFile sweep_from(const std::string& text) { return parse_sweep(json::parse(text), "test.json"); }

TEST(Expand, Paper61TimesThreeDepthsTimesTwoSeedsIs366DistinctRuns) {
  const SweepFile s = sweep_from(R"({
    "axes": [{"generator": "paper61"}, {"generator": "depth_ladder", "depths": [2, 3, 4]}],
    "seeds": [0, 1]})");
  EXPECT_EQ(count_runs(s), 366u);
  const auto runs = expand(s);
  ASSERT_EQ(runs.size(), 366u);
  std::set<std::string> hashes;
  for (const auto& r : runs) hashes.insert(r.config_hash);
  EXPECT_EQ(hashes.size(), 366u);
}

TEST(Expand, FirstAxisOutermostSeedsInnermost) {
  const SweepFile s = sweep_from(R"({
    "axes": [{"generator": "paper61"}, {"generator": "depth_ladder", "depths": [2, 3, 4]}],
    "seeds": [0, 1]})");
  const auto runs = expand(s);
  EXPECT_EQ(runs[0].config.formulation.name, "eps/linear");
  EXPECT_EQ(runs[0].config.model.depth, 2);
  EXPECT_EQ(runs[0].seed, 0);
  EXPECT_EQ(runs[1].seed, 1);
  EXPECT_EQ(runs[2].config.model.depth, 3);
  EXPECT_EQ(runs[6].config.formulation.name, "v/linear");
  EXPECT_EQ(runs[365].config.formulation.name, "edm/cos");
  EXPECT_EQ(runs[365].config.model.depth, 4);
  EXPECT_EQ(runs[365].index, 365u);
  EXPECT_EQ(runs[1].label(), "formulation=eps/linear model.depth=2 train.seed=1");
}

// The sweeps share core's grammar, so a modifier variant is a run like any other, stored canonically.
TEST(Expand, ModifierFormulationsExpandCanonically) {
  const auto runs = expand(sweep_from(R"js({"axes": [{"key": "formulation", "values":
    ["v/linear+ztsnr", "eps/cos+minsnr(5.00)", "v/linear+ztsnr+minsnr(05.00)"]}]})js"));
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].config.formulation.name, "v/linear+ztsnr");
  EXPECT_EQ(runs[1].config.formulation.name, "eps/cos+minsnr(5.00)");
  EXPECT_EQ(runs[2].config.formulation.name, "v/linear+minsnr(5.00)+ztsnr");
  EXPECT_EQ(runs[0].label(), "formulation=v/linear+ztsnr");
}

TEST(Expand, ConfigsAreCompleteAndHashIsCanonical) {
  const auto runs = expand(sweep_from(R"({"base": {"train.steps": 10}})"));
  ASSERT_EQ(runs.size(), 1u);  // no axes, no seeds: the base alone
  const auto& r = runs[0];
  EXPECT_EQ(r.config.json(), results::complete_config(json{{"train", {{"steps", 10}}}}, "x"));
  EXPECT_EQ(r.canonical_json, results::canonical_json(r.config.json()));
  EXPECT_EQ(r.config_hash, results::config_hash(r.config.json()));
  EXPECT_EQ(r.config_hash.size(), 64u);
}

TEST(Expand, HashStableAcrossKeyOrderNestingAndNumberSpelling) {
  const auto a = expand(sweep_from(R"({
    "base": {"model": {"depth": 3, "patch_size": 2}, "shift": 1, "train": {"lr": 0.001}},
    "axes": [{"key": "formulation", "values": ["rf"]}]})"));
  const auto b = expand(sweep_from(R"js({
    "axes": [{"key": "formulation", "values": ["rf/mode(0.00)"]}],
    "base": {"train.lr": 1e-3, "shift": 1.0, "model.patch_size": 2.0, "model": {"depth": 3}}})js"));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].config_hash, b[0].config_hash);
  EXPECT_EQ(a[0].canonical_json, b[0].canonical_json);
}

TEST(Expand, DifferentValueGivesDifferentHash) {
  const auto a = expand(sweep_from(R"({"base": {"shift": 1.0}})"));
  const auto b = expand(sweep_from(R"({"base": {"shift": 1.5}})"));
  EXPECT_NE(a[0].config_hash, b[0].config_hash);
}

TEST(Expand, AxesOverrideBase) {
  const auto runs = expand(sweep_from(R"({
    "base": {"model.depth": 8, "train.seed": 5},
    "axes": [{"key": "model.depth", "values": [2]}]})"));
  EXPECT_EQ(runs[0].config.model.depth, 2);
  EXPECT_EQ(runs[0].seed, 5);  // without "seeds" the base's seed is kept
}

TEST(Expand, GridIsCartesianZipIsPairwise) {
  const SweepFile s = sweep_from(R"({"axes": [
    {"grid": {"train.lr": [1e-3, 3e-4], "train.batch_size": [16, 32, 64]}},
    {"zip": {"model.depth": [2, 4], "train.steps": [100, 200]}}]})");
  const auto runs = expand(s);
  ASSERT_EQ(runs.size(), 12u);
  for (const auto& r : runs) {
    const int64_t depth = r.config.model.depth;
    const int64_t steps = r.config.train.steps;
    EXPECT_EQ(steps, depth * 50) << r.label();
  }
  std::set<std::pair<double, int64_t>> grid;
  for (const auto& r : runs)
    grid.emplace(r.config.train.lr,
                 r.config.train.batch_size);
  EXPECT_EQ(grid.size(), 6u);
}

TEST(Expand, ShippedSmokeSweep) {
  const auto runs = expand(load_sweep(shipped("smoke.json")));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].config.train.steps, 20);
}

TEST(Expand, ShippedQuickSweepHasTheIssuesSevenVariants) {
  const SweepFile s = load_sweep(shipped("objectives-quick.json"));
  EXPECT_EQ(s.name, "objectives-quick");
  const auto runs = expand(s);
  std::vector<std::string> names;
  for (const auto& r : runs) names.push_back(r.config.formulation.name);
  EXPECT_EQ(names, (std::vector<std::string>{"rf", "rf/lognorm(0.00, 1.00)", "rf/mode(1.29)",
                                             "rf/cosmap", "eps/linear", "v/cos", "edm(-1.20, 1.20)"}));
  for (const auto& n : names)
    EXPECT_NE(std::find(paper61_names().begin(), paper61_names().end(), n), paper61_names().end()) << n;
  EXPECT_EQ(s.evaluation.samples, 100);
}

TEST(Expand, ShippedObjectives61FollowsRegistryOrderWithOneSeed) {
  const auto runs = expand(load_sweep(shipped("objectives-61.json")));
  ASSERT_EQ(runs.size(), 61u);
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].config.formulation.name, paper61_names()[i]);
    EXPECT_EQ(runs[i].seed, runs[0].seed);  // D26: one base seed for the whole study
  }
}

TEST(Expand, ShippedDepthScalingIsTheCpuLadderUnderTheSizingRule) {
  const auto runs = expand(load_sweep(shipped("depth-scaling.json")));
  ASSERT_EQ(runs.size(), 5u);
  std::vector<int64_t> depths;
  for (const auto& r : runs) {
    depths.push_back(r.config.model.depth);
    EXPECT_EQ(r.config.model.width, 0);
    EXPECT_EQ(r.config.model.heads, 0);
    EXPECT_EQ(r.config.formulation.name, "rf/lognorm(0.00, 1.00)");
  }
  EXPECT_EQ(depths, depth_ladder_preset("cpu"));
}

TEST(Expand, ShippedDepthQuickVariesOnlyTheDepth) {
  const auto runs = expand(load_sweep(shipped("depth-quick.json")));
  ASSERT_EQ(runs.size(), 4u);
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].config.model.depth, static_cast<int64_t>(i + 1));
    auto a = runs[i].config.json(), b = runs[0].config.json();
    a["model"].erase("depth");
    b["model"].erase("depth");
    EXPECT_EQ(a, b) << "depth-quick: every hyper-parameter but the depth is shared (D24)";
  }
}

}  // namespace
}  // namespace rflab::sweeps

namespace rflab::sweeps {
namespace {

TEST(Expand, ShippedTwoDatasetStudyIsTheQuickStudyOnBothDatasets) {
  const auto quick = expand(load_sweep(shipped("objectives-quick.json")));
  const auto runs = expand(load_sweep(shipped("objectives-two-datasets.json")));
  ASSERT_EQ(runs.size(), 2 * quick.size());
  std::set<std::string> quick_hashes, fashion_hashes;
  for (const auto& r : quick) quick_hashes.insert(r.config.hash());
  int shapes = 0;
  for (const auto& r : runs) {
    if (r.config.data.dataset == "shapes") {
      ++shapes;
      EXPECT_EQ(r.config.model.in_channels, 3);
      EXPECT_GE(r.config.text.max_tokens, results::kShapesCaptionWords);
    } else {
      fashion_hashes.insert(r.config.hash());
    }
  }
  EXPECT_EQ(shapes, static_cast<int>(quick.size()));
  // Its Fashion-MNIST half is the quick study itself: those runs are shared, not retrained.
  EXPECT_EQ(fashion_hashes, quick_hashes);
}

TEST(Expand, ShippedCaptionStudyVariesOnlyTheCaptions) {
  const auto runs = expand(load_sweep(shipped("captions.json")));
  ASSERT_EQ(runs.size(), 4u);
  std::multiset<std::string> captions;
  for (const auto& r : runs) {
    captions.insert(r.config.data.captions);
    EXPECT_EQ(r.config.data.dataset, "shapes");
    auto a = r.config.json(), b = runs[0].config.json();
    for (auto* j : {&a, &b}) {
      (*j)["data"].erase("captions");
      (*j)["train"].erase("seed");
    }
    EXPECT_EQ(a, b);
  }
  EXPECT_EQ(captions, (std::multiset<std::string>{"mix(0.5)", "mix(0.5)", "original", "original"}));
}

TEST(Expand, ShippedShapesDepthLadderIsOnShapes) {
  const auto runs = expand(load_sweep(shipped("depth-quick-shapes.json")));
  ASSERT_EQ(runs.size(), 4u);
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].config.model.depth, static_cast<int64_t>(i + 1));
    EXPECT_EQ(runs[i].config.data.dataset, "shapes");
  }
}

}  // namespace
}  // namespace rflab::sweeps
