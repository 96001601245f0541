#include "sweeps/sweep_file.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>

#include "results/error.h"
#include "results/formulation_name.h"
#include "tests/sweeps/sweep_test_util.h"

namespace rflab::sweeps {
namespace {

using testing::SweepText;

struct Malformed {
  const char* what;
  const char* text;
  const char* path;      // the JSON path the message must name
  const char* expected;  // a fragment of what the message says was expected
};

class MalformedSweep : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedSweep, RejectedNamingFilePathAndExpectation) {
  const Malformed& m = GetParam();
  SweepText file(m.text);
  try {
    load_sweep(file.path());
    FAIL() << m.what << ": accepted";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(file.path() + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(m.path), std::string::npos) << "path " << m.path << " not in: " << msg;
    EXPECT_NE(msg.find(m.expected), std::string::npos) << "'" << m.expected << "' not in: " << msg;
  }
}

const Malformed kMalformed[] = {
    {"syntax", "{\"axes\": [}", "line 1, column 11", "invalid JSON"},
    {"top level array", "[1, 2]", "(top level)", "a JSON object"},
    {"unknown top-level key", "{\"axis\": []}", "axis", "one of the keys"},
    {"duplicate key", "{\"base\": {\"model\": {\"depth\": 2, \"depth\": 3}}}", "base.model.depth",
     "the key once"},
    {"duplicate key in an array element",
     "{\"axes\": [{\"key\": \"shift\", \"values\": [1]}, {\"key\": \"a\", \"key\": \"b\"}]}",
     "axes[1].key", "the key once"},
    {"bad name", "{\"name\": \"my sweep\"}", "name", "letters, digits"},
    {"description not string", "{\"description\": 3}", "description", "a string"},
    {"base not object", "{\"base\": [1]}", "base", "an object of config keys"},
    {"base unknown key", "{\"base\": {\"model\": {\"dept\": 2}}}", "base.model.dept",
     "a known config key"},
    {"base wrong type", "{\"base\": {\"train.steps\": \"many\"}}", "base: train.steps", "an integer"},
    {"base out of range", "{\"base\": {\"model\": {\"depth\": 0}}}", "base: model.depth", "[1, 64]"},
    {"base nested and dotted", "{\"base\": {\"model\": {\"depth\": 2}, \"model.depth\": 3}}",
     "base.model.depth", "the key once"},
    {"base bad formulation", "{\"base\": {\"formulation\": \"rf/mode(2.00)\"}}", "base.formulation",
     "2/(pi-2)"},
    {"axes not array", "{\"axes\": {}}", "axes", "an array of axis objects"},
    {"axis not object", "{\"axes\": [3]}", "axes[0]", "an axis object"},
    {"axis without form", "{\"axes\": [{\"key\": \"model.depth\"}]}", "axes[0]", "exactly one of"},
    {"axis with two forms",
     "{\"axes\": [{\"key\": \"model.depth\", \"values\": [2], \"generator\": \"paper61\"}]}", "axes[0]",
     "exactly one of"},
    {"values without key", "{\"axes\": [{\"values\": [2]}]}", "axes[0].key", "the config key"},
    {"values unknown key", "{\"axes\": [{\"key\": \"model.dpth\", \"values\": [2]}]}", "axes[0].key",
     "a known config key"},
    {"values empty", "{\"axes\": [{\"key\": \"model.depth\", \"values\": []}]}", "axes[0].values",
     "a non-empty array"},
    {"values not array", "{\"axes\": [{\"key\": \"model.depth\", \"values\": 2}]}", "axes[0].values",
     "a non-empty array"},
    {"value wrong type", "{\"axes\": [{\"key\": \"model.depth\", \"values\": [2, \"four\"]}]}",
     "axes[0].values[1]", "an integer"},
    {"value not integral", "{\"axes\": [{\"key\": \"model.depth\", \"values\": [2.5]}]}",
     "axes[0].values[0]", "an integer"},
    {"value is an object", "{\"axes\": [{\"key\": \"train.lr\", \"values\": [{\"x\": 1}]}]}",
     "axes[0].values[0]", "a single value"},
    {"duplicate values", "{\"axes\": [{\"key\": \"shift\", \"values\": [1, 3, 1.0]}]}",
     "axes[0].values[2]", "distinct values"},
    {"alias duplicates", "{\"axes\": [{\"key\": \"formulation\", \"values\": [\"rf\", \"rf/mode(0.00)\"]}]}",
     "axes[0].values[1]", "distinct values"},
    {"bad formulation", "{\"axes\": [{\"key\": \"formulation\", \"values\": [\"rf\", \"rf/lognorm(0, 1)\"]}]}",
     "axes[0].values[1]", "a formulation name"},
    {"modifier on the wrong family",
     "{\"axes\": [{\"key\": \"formulation\", \"values\": [\"v/linear+ztsnr\", \"rf+ztsnr\"]}]}",
     "axes[0].values[1]", "+ztsnr only on v/linear"},
    {"modifier spellings duplicate",
     "{\"axes\": [{\"key\": \"formulation\", \"values\": [\"v/linear+minsnr(5.00)+ztsnr\", "
     "\"v/linear+ztsnr+minsnr(5.00)\"]}]}",
     "axes[0].values[1]", "distinct values"},
    {"extra axis key", "{\"axes\": [{\"key\": \"shift\", \"values\": [1], \"note\": 1}]}", "axes[0].note",
     "one of the keys"},
    {"unknown generator", "{\"axes\": [{\"generator\": \"paper62\"}]}", "axes[0].generator",
     "\"paper61\", \"depth_ladder\" or \"matched_parameters\""},
    {"paper61 with options", "{\"axes\": [{\"generator\": \"paper61\", \"depths\": [2]}]}",
     "axes[0].depths", "one of the keys"},
    {"ladder without depths", "{\"axes\": [{\"generator\": \"depth_ladder\"}]}", "axes[0]",
     "exactly one of depths, preset"},
    {"ladder bad preset", "{\"axes\": [{\"generator\": \"depth_ladder\", \"preset\": \"gpu\"}]}",
     "axes[0].preset", "\"cpu\" or \"paper\""},
    {"ladder depth out of range", "{\"axes\": [{\"generator\": \"depth_ladder\", \"depths\": [2, 99]}]}",
     "axes[0].depths[1]", "[1, 64]"},
    {"ladder against fixed width",
     "{\"base\": {\"model.width\": 256}, \"axes\": [{\"generator\": \"depth_ladder\", \"depths\": [2]}]}",
     "axes[0]", "sizing rule"},
    {"grid empty", "{\"axes\": [{\"grid\": {}}]}", "axes[0].grid", "a non-empty object"},
    {"grid unknown key", "{\"axes\": [{\"grid\": {\"train.lr\": [1e-3], \"train.lrr\": [1]}}]}",
     "axes[0].grid[\"train.lrr\"]", "a known config key"},
    {"grid bad value", "{\"axes\": [{\"grid\": {\"train.lr\": [1e-3, -1]}}]}",
     "axes[0].grid[\"train.lr\"][1]", "[0, 10]"},
    {"zip unequal lengths",
     "{\"axes\": [{\"zip\": {\"model.depth\": [2, 4], \"train.lr\": [1e-3]}}]}",
     "axes[0].zip[\"train.lr\"]", "2 values, as many as \"model.depth\""},
    {"key in two axes",
     "{\"axes\": [{\"key\": \"model.depth\", \"values\": [2]}, {\"generator\": \"depth_ladder\", "
     "\"preset\": \"cpu\"}]}",
     "axes[1]", "a key no other axis varies"},
    {"seeds not array", "{\"seeds\": 3}", "seeds", "an array of seeds"},
    {"seed negative", "{\"seeds\": [0, -1]}", "seeds[1]", "an integer"},
    {"seed duplicate", "{\"seeds\": [0, 0]}", "seeds[1]", "distinct values"},
    {"seed count zero", "{\"seeds\": {\"count\": 0}}", "seeds.count", "[1, 100000]"},
    {"seeds and seed axis", "{\"axes\": [{\"key\": \"train.seed\", \"values\": [1]}], \"seeds\": [0]}",
     "seeds", "not both"},
    {"evaluation not object", "{\"evaluation\": [\"S1\"]}", "evaluation", "a JSON object"},
    {"resources not object", "{\"resources\": 4}", "resources", "an object"},
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.what; }

INSTANTIATE_TEST_SUITE_P(Cases, MalformedSweep, ::testing::ValuesIn(kMalformed),
                         [](const ::testing::TestParamInfo<Malformed>& info) {
                           std::string name = info.param.what;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(LoadSweep, MissingFileNamesIt) {
  try {
    load_sweep("/nonexistent/sweep.json");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/sweep.json"), std::string::npos);
  }
}

TEST(LoadSweep, NameDefaultsToFileStem) {
  SweepText file("{}", "my-study.json");
  EXPECT_EQ(load_sweep(file.path()).name, "my-study");
}

TEST(LoadSweep, BaseIsFlattenedAndNormalised) {
  SweepText file(R"js({"base": {"model": {"depth": 3.0}, "shift": 2, "formulation": "rf/mode(0.00)"}})js");
  const SweepFile s = load_sweep(file.path());
  EXPECT_EQ(s.base.at("model.depth"), nlohmann::json(3));
  EXPECT_TRUE(s.base.at("model.depth").is_number_integer());
  EXPECT_TRUE(s.base.at("shift").is_number_float());
  EXPECT_EQ(s.base.at("formulation"), "rf");
}

// A bad formulation reads as any other bad value: file, JSON path, the shared grammar's expectation
// (the one core states too), and the value as given.
TEST(LoadSweep, BadFormulationRestatesTheSharedExpectationAtItsPath) {
  SweepText file(R"js({"base": {"formulation": "rf/mode(1.80)"}})js");
  std::string expected;
  try {
    results::parse_formulation_name("rf/mode(1.80)");
  } catch (const results::FormulationNameError& e) {
    expected = e.expected;
  }
  ASSERT_FALSE(expected.empty());
  try {
    load_sweep(file.path());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              file.path() + ": base.formulation: expected " + expected + ", got string \"rf/mode(1.80)\"");
  }
}

TEST(LoadSweep, ModifierFormulationsAreCanonicalised) {
  SweepText file(R"js({"base": {"formulation": "v/linear+ztsnr+minsnr(05.00)"}})js");
  EXPECT_EQ(load_sweep(file.path()).base.at("formulation"), "v/linear+minsnr(5.00)+ztsnr");
}

TEST(LoadSweep, EvaluationAndResourcesAreParsedWithTheFile) {
  SweepText file(R"({"evaluation": {"settings": ["S1"], "samples": 20}, "resources": {"cpus": 4}})");
  const SweepFile s = load_sweep(file.path());
  ASSERT_EQ(s.evaluation.settings.size(), 1u);
  EXPECT_EQ(s.evaluation.settings[0].name, "S1");
  EXPECT_EQ(s.evaluation.samples, 20);
  EXPECT_EQ(s.resources.cpus, 4);
}

TEST(LoadSweep, ABadEvaluationOrResourcesBlockIsRefusedByTheParse) {
  SweepText eval(R"({"evaluation": {"settings": [{"name": "S9", "steps": -5, "cfg": "x"}]}})", "e.json");
  try {
    load_sweep(eval.path());
    FAIL() << "a negative step count was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("e.json: evaluation.settings[0].steps"), std::string::npos) << e.what();
  }
  SweepText unknown(R"({"evaluation": {"x": 1}})", "u.json");
  EXPECT_THROW(load_sweep(unknown.path()), UserError);
  SweepText res(R"({"resources": {"cpus": "many"}})", "r.json");
  EXPECT_THROW(load_sweep(res.path()), UserError);
  SweepText gpus(R"({"resources": {"gpus": -1}})", "g.json");
  try {
    load_sweep(gpus.path());
    FAIL() << "a negative GPU count was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("g.json: resources.gpus: expected an integer in [0, 100000]"), std::string::npos)
        << e.what();
  }
}

TEST(LoadSweep, ResourcesAskForGpusOnlyWhenTheyNameThem) {
  SweepText none(R"({"resources": {"cpus": 4}})", "n.json");
  EXPECT_EQ(load_sweep(none.path()).resources.gpus, 0);
  SweepText one(R"({"resources": {"gpus": 1}})", "o.json");
  EXPECT_EQ(load_sweep(one.path()).resources.gpus, 1);
}

TEST(LoadSweep, ContentHashIgnoresWhitespaceAndKeyOrder) {
  SweepText a(R"({"name": "x", "seeds": [0, 1]})", "a.json");
  SweepText b("{\n  \"seeds\" : [0,1],\n  \"name\":\"x\"\n}\n", "b.json");
  SweepText c(R"({"name": "x", "seeds": [0, 2]})", "c.json");
  EXPECT_EQ(load_sweep(a.path()).content_hash, load_sweep(b.path()).content_hash);
  EXPECT_NE(load_sweep(a.path()).content_hash, load_sweep(c.path()).content_hash);
}

TEST(LoadSweep, SeedRangeForm) {
  SweepText file(R"({"seeds": {"start": 3, "count": 3}})");
  EXPECT_EQ(load_sweep(file.path()).seeds, (std::vector<int64_t>{3, 4, 5}));
}

TEST(DepthLadder, PresetsFollowSpec) {
  EXPECT_EQ(depth_ladder_preset("paper"), (std::vector<int64_t>{15, 18, 24, 30, 38}));
  EXPECT_EQ(depth_ladder_preset("cpu"), (std::vector<int64_t>{2, 3, 4, 6, 8}));
  EXPECT_THROW(depth_ladder_preset("tpu"), std::invalid_argument);
}

}  // namespace
}  // namespace rflab::sweeps
