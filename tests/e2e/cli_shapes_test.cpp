// `rflab shapes render | detect | prompts`: a render -> detect round trip through PNG files, the
// JSON outputs, and the command-line contract (exit 1 naming the flag for a bad value, 2 for a
// malformed command line). The front serves these commands itself, without rflab-torch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

TEST(CliShapes, RenderThenDetectRoundTrip) {
  TempDir tmp;
  for (const std::string index : {"0", "7", "2000000003"}) {
    const std::string png = tmp.path("img" + index + ".png");
    const Result r = rflab({"shapes", "render", "--index", index, "--seed", "3", "--out", png, "--json"}, tmp.path());
    ASSERT_EQ(r.code, 0) << r.err;
    const auto scene = nlohmann::json::parse(r.out);
    EXPECT_EQ(scene.at("index").get<int64_t>(), std::stoll(index));
    EXPECT_FALSE(scene.at("captions").at("synthetic").get<std::string>().empty());
    EXPECT_FALSE(scene.at("captions").at("original").get<std::string>().empty());
    ASSERT_TRUE(fs::exists(png));

    const Result d = rflab({"shapes", "detect", png, "--json"}, tmp.path());
    ASSERT_EQ(d.code, 0) << d.err;
    const auto found = nlohmann::json::parse(d.out);
    ASSERT_EQ(found.size(), 1u);
    const auto& objects = found[0].at("objects");
    ASSERT_EQ(objects.size(), scene.at("objects").size()) << d.out << "\n" << r.out;
    // Every rendered object is found with its shape, colour and size, within a pixel.
    for (const auto& o : scene.at("objects")) {
      bool matched = false;
      for (const auto& f : objects)
        matched = matched || (f.at("shape") == o.at("shape") && f.at("colour") == o.at("colour") &&
                              f.at("size") == o.at("size") &&
                              std::hypot(f.at("x").get<double>() - o.at("x").get<double>(),
                                         f.at("y").get<double>() - o.at("y").get<double>()) < 1.0);
      EXPECT_TRUE(matched) << o.dump() << " not in " << objects.dump();
    }
  }
}

TEST(CliShapes, TextOutputs) {
  TempDir tmp;
  const Result r = rflab({"shapes", "render", "--index", "5"}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("synthetic caption: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(train split)"), std::string::npos) << r.out;
  const Result p = rflab({"shapes", "prompts", "--per-category", "2"}, tmp.path());
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_NE(p.out.find("counting"), std::string::npos) << p.out;
}

TEST(CliShapes, PromptsJson) {
  TempDir tmp;
  const Result r = rflab({"shapes", "prompts", "--json", "--seed", "1"}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto prompts = nlohmann::json::parse(r.out);
  ASSERT_EQ(prompts.size(), 6u * 385u);
  std::map<std::string, int> per;
  for (const auto& p : prompts) {
    ++per[p.at("category").get<std::string>()];
    EXPECT_FALSE(p.at("needs").empty());
  }
  for (const char* c : {"single_object", "two_object", "counting", "colors", "position", "color_attr"})
    EXPECT_EQ(per[c], 385) << c;
}

TEST(CliShapes, BadValuesExit1NamingTheFlag) {
  TempDir tmp;
  Result r = rflab({"shapes", "render", "--index", "-4"}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--index: expected a non-negative integer, got '-4'"), std::string::npos) << r.err;
  r = rflab({"shapes", "render", "--index", "x"}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--index"), std::string::npos) << r.err;
  r = rflab({"shapes", "prompts", "--seed", "-1"}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  // A file that is not a PNG, and a PNG of the wrong size, are named.
  write_file(tmp.path("not.png"), "hello");
  r = rflab({"shapes", "detect", tmp.path("not.png")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not.png: expected a PNG image"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  r = rflab({"shapes", "detect", tmp.path("missing.png")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("missing.png"), std::string::npos) << r.err;
}

TEST(CliShapes, MalformedCommandLinesExit2) {
  TempDir tmp;
  Result r = rflab({"shapes", "render"}, tmp.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--index I is required"), std::string::npos) << r.err;
  r = rflab({"shapes", "render", "--index", "1", "--bogus"}, tmp.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown flag --bogus"), std::string::npos) << r.err;
  r = rflab({"shapes", "detect"}, tmp.path());
  EXPECT_EQ(r.code, 2);
  r = rflab({"shapes"}, tmp.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("shapes render"), std::string::npos) << r.err;
}

// The front serves the shapes commands; the torch binary holds the same commands, and the front
// alone (no rflab-torch beside it, as a build without libtorch) still serves them.
TEST(CliShapes, TheFrontTheTorchBinaryAndTheFrontAloneAgree) {
  TempDir tmp;
  expect_front_torch_and_alone_agree(tmp, {"shapes", "render", "--index", "12", "--seed", "4", "--json"});
}

}  // namespace
}  // namespace rflab::e2e
