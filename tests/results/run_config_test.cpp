// The run config schema: defaults, validation messages naming the field, --set parsing, and
// a canonical serialisation whose hash ignores key order and number spelling.
#include <gtest/gtest.h>

#include "results/error.h"
#include "results/run_config.h"

using namespace rflab::results;
using json = nlohmann::json;

namespace {
std::string error_of(const json& partial) {
  try {
    complete_config(partial, "cfg.json");
  } catch (const rflab::UserError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(RunConfig, FillsEveryDefault) {
  auto c = complete_config(json::object(), "cfg.json");
  for (const auto& k : config_schema()) EXPECT_EQ(config_at(c, k.key), k.default_value) << k.key;
}

TEST(RunConfig, NestedAndDottedKeysAreTheSame) {
  auto a = complete_config(json{{"model", {{"depth", 3}}}}, "a");
  auto b = complete_config(json{{"model.depth", 3}}, "b");
  EXPECT_EQ(canonical_json(a), canonical_json(b));
}

TEST(RunConfig, UnknownKeyIsNamedWithASuggestion) {
  auto msg = error_of(json{{"model", {{"dept", 3}}}});
  EXPECT_NE(msg.find("cfg.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.dept"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.depth"), std::string::npos) << msg;
}

TEST(RunConfig, WrongTypeAndRangeNameTheFieldAndExpectation) {
  auto msg = error_of(json{{"train", {{"lr", "fast"}}}});
  EXPECT_NE(msg.find("train.lr"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected a number"), std::string::npos) << msg;
  msg = error_of(json{{"model", {{"depth", 0}}}});
  EXPECT_NE(msg.find("model.depth"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 64]"), std::string::npos) << msg;
  msg = error_of(json{{"model", {{"depth", 2.5}}}});
  EXPECT_NE(msg.find("an integer"), std::string::npos) << msg;
  msg = error_of(json{{"train", {{"device", "tpu"}}}});
  EXPECT_NE(msg.find("cpu, cuda"), std::string::npos) << msg;
  msg = error_of(json::array());
  EXPECT_NE(msg.find("a JSON object"), std::string::npos) << msg;
}

TEST(RunConfig, HashIgnoresKeyOrderAndNumberSpelling) {
  auto a = complete_config(json::parse(R"({"train": {"lr": 1, "steps": 10}, "model": {"depth": 2}})"), "a");
  auto b = complete_config(json::parse(R"({"model": {"depth": 2.0}, "train": {"steps": 10, "lr": 1.0}})"), "b");
  EXPECT_EQ(config_hash(a), config_hash(b));
  auto c = complete_config(json::parse(R"({"model": {"depth": 3}})"), "c");
  EXPECT_NE(config_hash(a), config_hash(c));
  EXPECT_EQ(config_hash(a).size(), 64u);
}

TEST(RunConfig, SetParsesByTheKeysType) {
  auto c = complete_config(json::object(), "x");
  apply_set(c, "model.depth=6");
  apply_set(c, "formulation=edm(0.00, 0.60)");
  apply_set(c, "model.qk_norm=false");
  apply_set(c, "train.lr=3e-4");
  EXPECT_EQ(config_at(c, "model.depth"), 6);
  EXPECT_EQ(config_at(c, "formulation"), "edm(0.00, 0.60)");
  EXPECT_EQ(config_at(c, "model.qk_norm"), false);
  EXPECT_DOUBLE_EQ(config_at(c, "train.lr").get<double>(), 3e-4);
  EXPECT_THROW(apply_set(c, "model.depth=many"), rflab::UserError);
  EXPECT_THROW(apply_set(c, "nokey"), rflab::UserError);
  EXPECT_THROW(apply_set(c, "model.bogus=1"), rflab::UserError);
}

// train.precision came after runs were stored: at its default it is not part of a config's
// identity, so every earlier config keeps its hash; bf16 is another run.
TEST(RunConfig, PrecisionIsPartOfTheIdentityOnlyAwayFromItsDefault) {
  const auto plain = RunConfig::parse(json::object(), "a");
  const auto fp32 = RunConfig::parse(json{{"train.precision", "fp32"}}, "b");
  const auto bf16 = RunConfig::parse(json{{"train", {{"precision", "bf16"}}}}, "c");
  EXPECT_EQ(plain.train.precision, "fp32");
  EXPECT_EQ(bf16.train.precision, "bf16");
  EXPECT_EQ(plain.canonical_json().find("precision"), std::string::npos) << plain.canonical_json();
  EXPECT_EQ(plain.hash(), fp32.hash());
  EXPECT_NE(bf16.canonical_json().find("\"precision\":\"bf16\""), std::string::npos) << bf16.canonical_json();
  EXPECT_NE(plain.hash(), bf16.hash());
  // The canonical text parses back to the same config, the default filled in again.
  const auto back = RunConfig::parse(json::parse(plain.canonical_json()), "d");
  EXPECT_EQ(back.json(), plain.json());
  EXPECT_EQ(RunConfig::parse(json::parse(bf16.canonical_json()), "e").train.precision, "bf16");
  EXPECT_NE(error_of(json{{"train.precision", "fp16"}}).find("train.precision"), std::string::npos);
}

namespace {
std::string parse_error_of(const json& partial) {
  try {
    RunConfig::parse(partial, "cfg.json");
  } catch (const rflab::UserError& e) {
    return e.what();
  }
  return "";
}
const json kShapes = {{"data.dataset", "shapes"}, {"model.in_channels", 3}, {"text.max_tokens", 28}};
}  // namespace

TEST(RunConfig, ShapesKeysAreOutOfTheIdentityAtTheirDefaults) {
  const auto plain = RunConfig::parse(json::object(), "a");
  EXPECT_EQ(plain.data.captions, "synthetic");
  EXPECT_EQ(plain.data.seed, 0u);
  EXPECT_EQ(plain.canonical_json().find("captions"), std::string::npos) << plain.canonical_json();
  EXPECT_EQ(plain.canonical_json().find("\"seed\":0,\"image_size\""), std::string::npos);
  EXPECT_EQ(plain.hash(), RunConfig::parse(json{{"data.captions", "synthetic"}, {"data.seed", 0}}, "b").hash());
  auto mix = kShapes;
  mix["data.captions"] = "mix(0.5)";
  const auto shapes = RunConfig::parse(mix, "c");
  EXPECT_EQ(shapes.data.dataset, "shapes");
  EXPECT_EQ(shapes.data.captions, "mix(0.5)");
  EXPECT_NE(shapes.hash(), RunConfig::parse(kShapes, "d").hash());
}

TEST(RunConfig, CaptionChoiceMustBeValidAndCanonical) {
  auto bad = kShapes;
  bad["data.captions"] = "mix(2)";
  auto msg = parse_error_of(bad);
  EXPECT_NE(msg.find("cfg.json: data.captions: expected original, synthetic or mix(p)"), std::string::npos) << msg;
  bad["data.captions"] = "mix(0.50)";
  msg = parse_error_of(bad);
  EXPECT_NE(msg.find("data.captions: expected the canonical spelling 'mix(0.5)', got 'mix(0.50)'"), std::string::npos)
      << msg;
}

TEST(RunConfig, ShapesRunsNeedRgbChannelsAndContextsForTheLongestCaption) {
  auto c = kShapes;
  c["model.in_channels"] = 1;
  auto msg = parse_error_of(c);
  EXPECT_NE(msg.find("model.in_channels: expected 3 (shapes images are RGB), got 1"), std::string::npos) << msg;
  c = kShapes;
  c["text.max_tokens"] = 27;
  msg = parse_error_of(c);
  EXPECT_NE(msg.find("text.max_tokens: expected at least 28"), std::string::npos) << msg;
  c = kShapes;
  c["data.image_size"] = 64;
  msg = parse_error_of(c);
  EXPECT_NE(msg.find("data.image_size: expected 32"), std::string::npos) << msg;
  EXPECT_EQ(parse_error_of(kShapes), "");
}

TEST(RunConfig, BlockDesignsBelongToDiTAndMMDiT3NeedsAPooledVector) {
  auto msg = parse_error_of({{"model.backbone", "crossdit"}, {"model.conditioning", "in_context"}});
  EXPECT_NE(msg.find("cfg.json: model.conditioning: expected adaln_zero (the other block designs are model.backbone "
                     "dit's; this config's is crossdit), got 'in_context'"),
            std::string::npos)
      << msg;
  msg = parse_error_of({{"model.backbone", "mmdit3"}, {"model.pooled_dim", 0}});
  EXPECT_NE(msg.find("model.pooled_dim: expected a width > 0"), std::string::npos) << msg;
  msg = parse_error_of({{"model.backbone", "transformer"}});
  EXPECT_NE(msg.find("model.backbone: expected one of mmdit, mmdit3, dit, crossdit, uvit"), std::string::npos) << msg;
  EXPECT_EQ(parse_error_of({{"model.backbone", "dit"}, {"model.conditioning", "in_context"}}), "");
  // At their defaults the keys stay out of the identity: a config that names them hashes as one that does not.
  const auto named = RunConfig::parse({{"model.backbone", "mmdit"}, {"model.conditioning", "adaln_zero"}}, "a");
  EXPECT_EQ(named.hash(), RunConfig::defaults().hash());
  EXPECT_NE(RunConfig::parse({{"model.backbone", "dit"}}, "b").hash(), RunConfig::defaults().hash());
}
