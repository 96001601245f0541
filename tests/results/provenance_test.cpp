#include "results/provenance.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "tests/results/store_test_util.h"
#include "tests/util/git.h"

namespace rflab::results {
namespace {

using rflab::testing::git_available;

TEST(Provenance, NotACheckoutGivesUnknownCommit) {
  testing::TempDir tmp;
  const Provenance p = collect_provenance(tmp.path(""));
  EXPECT_EQ(p.git_commit, "unknown");
  EXPECT_FALSE(p.git_dirty);
  EXPECT_FALSE(p.host.empty());
}

TEST(Provenance, FreshCommitIsCleanAndAnEditMakesItDirty) {
  if (!git_available()) GTEST_SKIP() << "git not installed";
  testing::TempDir tmp;
  const std::string dir = tmp.path("repo");
  const std::string git = "git -C '" + dir + "' -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "' && git init -q '" + dir + "'").c_str()), 0);
  { std::ofstream(dir + "/a.txt") << "one\n"; }
  ASSERT_EQ(std::system((git + "add a.txt && " + git + "commit -q -m init").c_str()), 0);

  const Provenance clean = collect_provenance(dir);
  EXPECT_TRUE(std::regex_match(clean.git_commit, std::regex("[0-9a-f]{40}"))) << clean.git_commit;
  EXPECT_FALSE(clean.git_dirty);

  { std::ofstream(dir + "/a.txt") << "two\n"; }
  const Provenance dirty = collect_provenance(dir);
  EXPECT_EQ(dirty.git_commit, clean.git_commit);
  EXPECT_TRUE(dirty.git_dirty);
}

TEST(Provenance, PathWithQuoteIsHandled) {
  testing::TempDir tmp;
  const Provenance p = collect_provenance(tmp.path("it's here"));
  EXPECT_EQ(p.git_commit, "unknown");
}

}  // namespace
}  // namespace rflab::results
