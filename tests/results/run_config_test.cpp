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
