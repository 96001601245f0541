// The default minimum effects against the real seed noise of the canary: the figures of
// sweeps/canary.json's runs with seeds 0-9 (tests/data/canary-seed-noise.json, written by
// scripts/canary-noise-fixture). Splitting the ten seeds into two canaries of five is a change
// that is pure seed noise; no split may be called better or worse.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/regression.h"
#include "results/store.h"
#include "sweeps/expand.h"
#include "sweeps/sweep_file.h"

namespace rflab::reports {
namespace {

namespace fs = std::filesystem;

nlohmann::json fixture() {
  std::ifstream in(std::string(RFLAB_SOURCE_DIR) + "/tests/data/canary-seed-noise.json");
  return nlohmann::json::parse(in);
}

// Two canaries of one commit-pair from the fixture: `base_seeds` and the other five.
CanaryFigures canary_of(const nlohmann::json& rows, const std::vector<int64_t>& seeds, int id) {
  CanaryFigures c;
  c.canary.id = id;
  c.canary.record.suite = "canary";
  c.canary.record.git_commit = std::string(40, static_cast<char>('a' + id));
  c.seeds = seeds;
  for (const auto& r : rows) {
    const int64_t seed = r.at("seed").get<int64_t>();
    const auto at = std::find(seeds.begin(), seeds.end(), seed);
    if (at == seeds.end() || !regression_rule(r.at("metric").get<std::string>())) continue;
    CanaryFigure f{r.at("metric").get<std::string>(), r.at("setting").get<std::string>(),
                   r.at("weights").get<std::string>(), r.at("n").get<int64_t>()};
    auto& v = c.values[f];
    v.resize(seeds.size(), std::nan(""));
    v[static_cast<size_t>(at - seeds.begin())] = r.at("value").is_null() ? std::nan("") : r.at("value").get<double>();
  }
  return c;
}

TEST(RegressionNoise, TheFixtureIsTheCurrentCanarySuite) {
  const auto specs = sweeps::expand(sweeps::load_sweep(std::string(RFLAB_SOURCE_DIR) + "/sweeps/canary.json"));
  std::map<int64_t, std::string> hashes;
  const auto data = fixture();
  for (const auto& r : data.at("rows")) hashes[r.at("seed").get<int64_t>()] = r.at("config_hash").get<std::string>();
  ASSERT_EQ(hashes.size(), 10u);
  for (const auto& s : specs)
    EXPECT_EQ(hashes.at(s.seed), s.config_hash)
        << "sweeps/canary.json changed: run scripts/canary-noise-fixture to measure its seed noise again";
}

TEST(RegressionNoise, NoSplitOfTenSeedsIntoTwoCanariesIsAVerdict) {
  const auto data = fixture();
  const auto& rows = data.at("rows");
  size_t splits = 0, figures = 0, flagged_without_min_effect = 0;
  // Every way of choosing five seeds of ten as the base (252 ordered splits).
  for (int mask = 0; mask < 1024; ++mask) {
    if (__builtin_popcount(mask) != 5) continue;
    std::vector<int64_t> a, b;
    for (int s = 0; s < 10; ++s) (mask >> s & 1 ? a : b).push_back(s);
    const auto base = canary_of(rows, a, 1), head = canary_of(rows, b, 2);
    const auto c = compare_canaries(base, head);
    ++splits;
    figures = c.metrics.size();
    for (const auto& m : c.metrics)
      EXPECT_TRUE(m.verdict == Verdict::numerics_only)
          << m.figure.name() << " is " << to_string(m.verdict) << " for base seeds " << mask << ": " << m.reason;
    RegressionOptions none;
    none.min_effect_scale = 0;
    flagged_without_min_effect += compare_canaries(base, head, none).regressed();
  }
  EXPECT_EQ(splits, 252u);
  EXPECT_GE(figures, 10u);  // validation losses and every S4 figure
  // The interval alone flags some splits: the minimum effects are what keeps noise quiet.
  EXPECT_GT(flagged_without_min_effect, 0u);
}

}  // namespace
}  // namespace rflab::reports
