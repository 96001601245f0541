// The sweep commands' command-line contract: an unknown flag exits 2 with usage, a bad flag value
// exits 1 naming the flag, and nothing is written when the input is rejected. (Unknown commands
// and bad --set values of `rflab train` are covered by cli_model_sample_test.cpp.)
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

TEST(Cli, UnknownFlagExits2) {
  TempDir tmp;
  write_file(tmp.path("s.json"), tiny_sweep("s", tiny_base(6, 3, 3), {{{"key", "formulation"}, {"values", {"rf"}}}}).dump());
  const Result r = rflab({"sweep", "plan", tmp.path("s.json"), "--bogus", "1"}, tmp.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown flag --bogus"), std::string::npos) << r.err;
}

TEST(Cli, BadJobsValueExits1NamingTheFlag) {
  TempDir tmp;
  write_file(tmp.path("s.json"), tiny_sweep("s", tiny_base(6, 3, 3), {{{"key", "formulation"}, {"values", {"rf"}}}}).dump());
  const Result r = rflab({"sweep", "run", tmp.path("s.json"), "--jobs", "0", "--db", tmp.path("r.db")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--jobs"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("r.db")));
}

TEST(Cli, RunOneIndexOutOfRangeExits1) {
  TempDir tmp;
  write_file(tmp.path("s.json"), tiny_sweep("s", tiny_base(6, 3, 3), {{{"key", "formulation"}, {"values", {"rf"}}}}).dump());
  const Result r = rflab({"sweep", "run-one", tmp.path("s.json"), "--index", "5", "--db", tmp.path("r.db")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--index"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("r.db")));
}

}  // namespace
}  // namespace rflab::e2e
