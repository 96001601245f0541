// The matched_parameters generator: each backbone sized to the target count within 5%, the
// reference backbone kept exactly, clear errors when no size reaches the target, and the shipped
// architecture sweeps.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/model/shape/model_size.h"
#include "results/error.h"
#include "sweeps/expand.h"
#include "sweeps/matched_parameters.h"
#include "sweeps/sweep_file.h"
#include "tests/sweeps/sweep_test_util.h"

using namespace rflab::sweeps;
using rflab::sweeps::testing::shipped;
using nlohmann::json;

namespace {
int64_t closed_form(const rflab::results::RunConfig& rc) {
  return rflab::core::parameter_count(rflab::core::BackboneConfig::from_run_config(rc));
}
std::string error_of(const json& doc) {
  try {
    parse_sweep(doc, "m.json");
  } catch (const rflab::UserError& e) {
    return e.what();
  }
  return "";
}
json sweep_with(const json& generator) {
  return {{"base", {{"model.depth", 2}, {"model.patch_size", 4}}}, {"axes", json::array({generator})}};
}
}  // namespace

TEST(MatchedParameters, EveryBackboneLandsWithinFivePercentAndTheBaseOneExactly) {
  const auto runs = expand(load_sweep(shipped("architectures-quick.json")));
  ASSERT_EQ(runs.size(), 10u);  // five backbones, two seeds
  const auto base = rflab::results::RunConfig::parse(json{{"model.depth", 2}, {"model.patch_size", 4}}, "base");
  const double target = static_cast<double>(closed_form(base));
  std::set<std::string> backbones;
  for (const auto& r : runs) {
    backbones.insert(r.config.model.backbone);
    EXPECT_LE(std::fabs(closed_form(r.config) - target) / target, kMatchedParametersTolerance) << r.label();
    EXPECT_EQ(r.config.model.num_heads(), 2) << r.label();
    if (r.config.model.backbone == "mmdit") EXPECT_EQ(r.config.model.hidden(), 128) << r.label();
  }
  EXPECT_EQ(backbones, (std::set<std::string>{"mmdit", "mmdit3", "dit", "crossdit", "uvit"}));
  // Each backbone's choice is the nearest: one width step more or less lands farther away.
  for (const auto& r : runs) {
    auto c = rflab::core::BackboneConfig::from_run_config(r.config);
    const double here = std::fabs(rflab::core::parameter_count(c) - target);
    for (int64_t step : {-4, 4}) {  // lcm(4, heads = 2)
      auto other = c;
      other.hidden += step;
      EXPECT_GE(std::fabs(rflab::core::parameter_count(other) - target), here) << r.label() << " " << step;
    }
  }
}

TEST(MatchedParameters, AdjustingTheDepthKeepsTheWidth) {
  json g = {{"generator", "matched_parameters"}, {"adjust", "depth"}, {"parameters", 1590000},
            {"variants", json::array({json{{"model.backbone", "dit"}}, json{{"model.backbone", "crossdit"}}})}};
  auto doc = sweep_with(g);
  EXPECT_NE(error_of(doc).find("model.width set in the base"), std::string::npos) << error_of(doc);
  doc["base"]["model.width"] = 128;
  doc["base"]["model.heads"] = 2;
  const auto runs = expand(parse_sweep(doc, "m.json"));
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.config.model.hidden(), 128);
    EXPECT_LE(std::fabs(closed_form(r.config) - 1590000.0) / 1590000.0, 0.05) << r.label();
  }
  // Heads left to the sizing rule (one per depth) are pinned at the base's, so no depth the search
  // tries leaves a head count that does not divide the width.
  doc["base"].erase("model.heads");
  doc["base"]["model.depth"] = 2;
  for (const auto& r : expand(parse_sweep(doc, "m.json"))) {
    EXPECT_EQ(r.config.model.num_heads(), 2) << r.label();
    EXPECT_LE(std::fabs(closed_form(r.config) - 1590000.0) / 1590000.0, 0.05) << r.label();
  }
}

TEST(MatchedParameters, AnUnreachableTargetNamesTheVariantAndItsNearestCount) {
  json g = {{"generator", "matched_parameters"}, {"parameters", 1000},
            {"variants", json::array({json{{"model.backbone", "dit"}}})}};
  const std::string e = error_of(sweep_with(g));
  EXPECT_NE(e.find("axes[0].variants[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("within 5% of 1000"), std::string::npos) << e;
  EXPECT_NE(e.find("at best"), std::string::npos) << e;
}

TEST(MatchedParameters, BadGeneratorFieldsAreNamed) {
  auto bad = [](json g) { return error_of(sweep_with(g)); };
  json v = json::array({json{{"model.backbone", "dit"}}});
  EXPECT_NE(bad({{"generator", "matched_parameters"}, {"variants", v}, {"adjust", "heads"}}).find("axes[0].adjust"),
            std::string::npos);
  EXPECT_NE(bad({{"generator", "matched_parameters"}, {"variants", json::array()}}).find("axes[0].variants"),
            std::string::npos);
  EXPECT_NE(bad({{"generator", "matched_parameters"}, {"variants", json::array({json{{"model.width", 64}}})}})
                .find("model.width"),
            std::string::npos);
  EXPECT_NE(bad({{"generator", "matched_parameters"}, {"variants", json::array({json{{"model.backbone", "resnet"}}})}})
                .find("one of mmdit, mmdit3, dit, crossdit, uvit"),
            std::string::npos);
  EXPECT_NE(bad({{"generator", "matched_parameters"}, {"variants", v}, {"parameters", -3}}).find("axes[0].parameters"),
            std::string::npos);
}

TEST(MatchedParameters, ShippedDiTConditioningSweepsVaryOnlyTheDesign) {
  for (const char* name : {"dit-conditioning.json", "dit-conditioning-quick.json"}) {
    const auto runs = expand(load_sweep(shipped(name)));
    std::set<std::string> designs;
    for (const auto& r : runs) {
      EXPECT_EQ(r.config.model.backbone, "dit") << name;
      designs.insert(r.config.model.conditioning);
    }
    EXPECT_EQ(designs.size(), 4u) << name;
  }
  const auto full = expand(load_sweep(shipped("architectures.json")));
  EXPECT_EQ(full.size(), 15u);  // five backbones, three seeds
}
