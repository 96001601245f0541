// End-to-end: the rflab binary's model, config, train and sample commands, exit statuses.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/e2e/e2e_util.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using rflab::e2e::kTinyClipSteps;

namespace {

using rflab::testing::TempDir;

struct Result {
  int status = -1;
  std::string out;
};

Result run(const std::string& args) {
  Result r;
  std::string cmd = std::string(RFLAB_EXE) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::string kGolden = std::string(RFLAB_SOURCE_DIR) + "/tests/data/golden/";


}  // namespace

TEST(CliModel, InfoAtSd3DimensionsMatchesSpec) {
  auto r = run("model info --json --set model.depth=24 --set model.in_channels=16 --set model.patch_size=2 "
               "--set model.context_dim=4096 --set model.pooled_dim=2048 --set data.image_size=32 "
               "--set text.max_tokens=154 --set model.qk_norm=false");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parameters"], 2028328000);
  EXPECT_EQ(j["forward_macs_per_sample"], 289411596288LL);
  EXPECT_EQ(j["hidden"], 1536);
  EXPECT_EQ(j["heads"], 24);
}

TEST(CliModel, InfoComparesEveryBackboneAndItsClosedFormsAreWhatTheBuiltModelsCount) {
  auto r = run("model info --compare --measure --json --set model.depth=2 --set model.patch_size=4");
  ASSERT_EQ(r.status, 0) << r.out;
  auto rows = nlohmann::json::parse(r.out);
  std::set<std::string> names;
  for (const auto& j : rows) {
    names.insert(j["name"].get<std::string>());
    EXPECT_EQ(j["parameters"], j["measured_parameters"]) << j["name"];
    EXPECT_EQ(j["forward_macs_per_sample"], j["measured_forward_macs_per_sample"]) << j["name"];
    EXPECT_EQ(j["train_flops_per_sample"].get<int64_t>(), 6 * j["forward_macs_per_sample"].get<int64_t>());
  }
  EXPECT_EQ(names, (std::set<std::string>{"mmdit", "mmdit3", "dit (adaln_zero)", "dit (adaln)", "dit (cross_attention)",
                                          "dit (in_context)", "crossdit", "uvit"}));
  // The MM-DiT row is the config's own model info.
  auto own = nlohmann::json::parse(run("model info --json --set model.depth=2 --set model.patch_size=4").out);
  EXPECT_EQ(own["parameters"], rows[0]["parameters"]);
  auto bad = run("model info --set model.backbone=crossdit --set model.conditioning=adaln");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("model.conditioning: expected adaln_zero"), std::string::npos) << bad.out;
}

TEST(CliModel, VerifyGoldenFilesPassesAndATightToleranceFails) {
  for (const char* f : {"mmdit_ref_d2_qknorm_16x16.safetensors", "mmdit_ref_d3_plain_16x12.safetensors"}) {
    auto r = run("model verify " + kGolden + f);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
  }
  auto tight = run("model verify " + kGolden + "mmdit_ref_d2_qknorm_16x16.safetensors --tolerance 1e-12");
  EXPECT_EQ(tight.status, 1) << tight.out;
}

TEST(CliModel, VerifyOfAMissingFileNamesIt) {
  auto r = run("model verify /nonexistent/x.safetensors");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/x.safetensors"), std::string::npos) << r.out;
}

TEST(CliUsage, UnknownCommandOrFlagExitsTwo) {
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_EQ(run("model info --frobnicate").status, 2);
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("--help").status, 0);
  EXPECT_EQ(run("train --help").status, 0);
}

TEST(CliUsage, BadConfigValueExitsOneNamingTheField) {
  TempDir tmp;
  auto r = run("model info --set model.depth=zero");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("model.depth"), std::string::npos) << r.out;
  auto dir = tmp.path();
  {
    std::FILE* f = std::fopen((dir + "/c.json").c_str(), "w");
    std::fputs("{\"model\": {\"depth\": 2,}}", f);
    std::fclose(f);
  }
  r = run("model info --config " + dir + "/c.json");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("c.json"), std::string::npos) << r.out;
}

TEST(CliTrainSample, TinyRunThenSampleWritesAGrid) {
  TempDir tmp;
  auto dir = tmp.path();
  const std::string cache = " --cache " + dir + "/cache ";
  auto r = run("train --db " + dir + "/db.sqlite --out " + dir + "/run" + cache + "--set model.depth=1 --set model.width=64 "
               "--set model.heads=1 --set text.max_tokens=4 --set text.clip_steps=" + std::to_string(kTinyClipSteps) + " "
               "--set train.steps=4 --set train.batch_size=8 --set eval.every=4 --set eval.val_size=16 "
               "--set eval.samples_per_class=1 --set eval.sample_steps=2");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("conditioner: mini-CLIP trained and cached at " + dir + "/cache/clip-"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir + "/run/samples.png"));
  EXPECT_TRUE(fs::exists(dir + "/run/checkpoint.safetensors"));
  // Same config again: found done, nothing retrained.
  auto again = run("train --db " + dir + "/db.sqlite --out " + dir + "/run" + cache + "--set model.depth=1 --set model.width=64 "
                   "--set model.heads=1 --set text.max_tokens=4 --set text.clip_steps=" + std::to_string(kTinyClipSteps) + " "
                   "--set train.steps=4 --set train.batch_size=8 --set eval.every=4 --set eval.val_size=16 "
                   "--set eval.samples_per_class=1 --set eval.sample_steps=2");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("already done"), std::string::npos) << again.out;
  // Another run with the same conditioner knobs loads the cached conditioner.
  auto other = run("train --db " + dir + "/db.sqlite --out " + dir + "/run2" + cache + "--set model.depth=1 --set model.width=64 "
                   "--set model.heads=1 --set text.max_tokens=4 --set text.clip_steps=" + std::to_string(kTinyClipSteps) + " "
                   "--set train.steps=2 --set train.batch_size=8 --set eval.every=2 --set eval.val_size=16 "
                   "--set eval.samples_per_class=0");
  EXPECT_EQ(other.status, 0) << other.out;
  EXPECT_NE(other.out.find("conditioner: mini-CLIP loaded from " + dir + "/cache/clip-"), std::string::npos) << other.out;

  auto s = run("sample --checkpoint " + dir + "/run/checkpoint.safetensors --prompt 'a photo of a bag' "
               "--prompt 'a photo of a sneaker' --n 3 --steps 2 --cfg 2 --out " + dir + "/grid.png");
  ASSERT_EQ(s.status, 0) << s.out;
  ASSERT_TRUE(fs::exists(dir + "/grid.png"));
  // 2 CFG passes x 2 steps.
  EXPECT_NE(s.out.find("(4 network evaluations)"), std::string::npos) << s.out;
  auto bad = run("sample --checkpoint " + dir + "/run/checkpoint.safetensors --prompt x --steps 0");
  EXPECT_EQ(bad.status, 1) << bad.out;  // a bad value, not a malformed command line
}
