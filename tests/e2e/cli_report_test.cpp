// rflab rank, scaling and report from the command line: the outputs from a database written
// through the store's API and from CSV, and the errors (malformed CSV, nothing evaluated) that
// exit 1 and write nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_util.h"
#include "tests/reports/synthetic_study.h"

namespace rflab::e2e {
namespace {

TEST(CliReport, RankReadsTheDatabaseAndListsTheFailedRun) {
  TempDir tmp;
  reports::testing::write_synthetic_study(tmp.path("r.db"), tmp.path("grids"));
  const Result r = rflab({"rank", "--db", tmp.path("r.db")}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| variant | all | 5 steps | 50 steps | 50 steps, all CFG |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(clip_score up, clip_fid down)"), std::string::npos);
  EXPECT_NE(r.out.find("N = 100"), std::string::npos);
  EXPECT_NE(r.out.find("run failed: CUDA out of memory"), std::string::npos);
  EXPECT_NE(r.out.find("rf leads: its 90% interval of R_all over 2 seeds"), std::string::npos) << r.out;

  const Result j = rflab({"rank", "--db", tmp.path("r.db"), "--format", "json", "--fid", "clip_fid"}, tmp.path());
  ASSERT_EQ(j.code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc.at("variants").at(0).at("variant"), "rf");
  EXPECT_EQ(doc.at("seeds").size(), 2u);
}

TEST(CliReport, MalformedCsvExits1NamingLineAndColumnAndWritesNothing) {
  TempDir tmp;
  write_file(tmp.path("r.csv"), "variant,setting,fid,clip\nrf,S3,10,0.8\nv/cos,S3,ten,0.7\n");
  const Result r = rflab({"rank", "--csv", tmp.path("r.csv"), "--out", tmp.path("rank.md")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("line 3, column fid"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("rank.md")));
  const Result usage = rflab({"rank", "--csv", tmp.path("r.csv"), "--db", tmp.path("r.db")}, tmp.path());
  EXPECT_EQ(usage.code, 2);
}

TEST(CliReport, CsvResultsAreRanked) {
  TempDir tmp;
  write_file(tmp.path("r.csv"), "variant,setting,fid,clip,seed\nA,S3,10,0.8,0\nB,S3,12,0.7,0\nA,S4,20,0.6,0\nB,S4,18,0.7,0\n");
  const Result r = rflab({"rank", "--csv", tmp.path("r.csv"), "--format", "csv"}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  // A: fronts 1 (S3) and 2 (S4); B: 2 and 1. Both average 1.5; R_5 is S4 alone.
  EXPECT_NE(r.out.find("A,1.5,1.5,1.5,2,2,2,1,1,1"), std::string::npos) << r.out;
}

TEST(CliReport, NothingEvaluatedExits1AndWritesNothing) {
  TempDir tmp;
  {
    results::Store s(tmp.path("r.db"));
    const auto cfg = results::complete_config({{"formulation", "rf"}}, "t");
    s.register_run({results::canonical_json(cfg), results::config_hash(cfg), 0, {}, std::nullopt});
  }
  const Result r = rflab({"rank", "--db", tmp.path("r.db"), "--out", tmp.path("rank.md")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("expected evaluations"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run pending"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("rank.md")));
  const Result rep = rflab({"report", "--db", tmp.path("r.db"), "--out", tmp.path("rep")}, tmp.path());
  EXPECT_EQ(rep.code, 1);
  EXPECT_FALSE(fs::exists(tmp.path("rep")));
  const Result none = rflab({"rank", "--db", tmp.path("missing.db")}, tmp.path());
  EXPECT_EQ(none.code, 1);
  EXPECT_FALSE(fs::exists(tmp.path("missing.db")));
}

TEST(CliReport, ReportWritesBothDocuments) {
  TempDir tmp;
  reports::testing::write_synthetic_study(tmp.path("r.db"), tmp.path("grids"));
  const Result r = rflab({"report", "--db", tmp.path("r.db"), "--out", tmp.path("rep")}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(tmp.path("rep/index.html")));
  EXPECT_TRUE(fs::exists(tmp.path("rep/report.md")));
  EXPECT_NE(r.out.find("| variant | all |"), std::string::npos);
  EXPECT_NE(r.out.find("rep/index.html"), std::string::npos);
}

TEST(CliReport, ScalingFitsACsvPowerLaw) {
  TempDir tmp;
  std::string csv = "depth,step,flops,loss\n";
  for (int d = 1; d <= 3; ++d)
    for (int k = 1; k <= 10; ++k) {
      const double flops = 1e9 * d * d * d * k * 10;
      csv += fmt::format("{},{},{},{}\n", d, k * 10, flops, 0.2 + 30 * std::pow(flops, -0.25) * (1 + 0.05 / d));
    }
  write_file(tmp.path("s.csv"), csv);
  const Result r = rflab({"scaling", "--csv", tmp.path("s.csv"), "--format", "json", "--resamples", "100"}, tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& frontier = doc.at("fits").at(0);
  EXPECT_EQ(frontier.at("name"), "frontier");
  EXPECT_NEAR(frontier.at("b").get<double>(), 0.25, 0.05);
  EXPECT_TRUE(frontier.at("b_interval").at(0).is_number());
  const Result bad = rflab({"scaling", "--csv", tmp.path("r.csv")}, tmp.path());
  EXPECT_EQ(bad.code, 1);
}

// `rflab rank` is served by the torch-free front; the torch binary holds the same command, and
// the front alone (built without libtorch: no rflab-torch beside it) still serves it.
TEST(CliReport, TheFrontTheTorchBinaryAndTheFrontAloneGiveTheSameAnswers) {
  TempDir tmp;
  reports::testing::write_synthetic_study(tmp.path("r.db"), tmp.path("grids"));
  expect_front_torch_and_alone_agree(tmp, {"rank", "--db", tmp.path("r.db"), "--format", "json", "--resamples", "50"});
  const std::string alone = front_alone(tmp);
  const int code = std::system((alone + " train --config x.json 2> " + tmp.path("alone.err")).c_str());
  EXPECT_EQ(WEXITSTATUS(code), 2);
  EXPECT_NE(read_file(tmp.path("alone.err")).find("this build has no libtorch"), std::string::npos)
      << read_file(tmp.path("alone.err"));
}

}  // namespace
}  // namespace rflab::e2e
