#include "results/canary.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "results/git.h"
#include "results/schema.h"
#include "results/sqlite_db.h"
#include "results/store.h"
#include "tests/results/store_test_util.h"
#include "tests/util/git.h"

namespace rflab::results {
namespace {

using rflab::testing::git_available;

RunRecord canary_run(const std::string& hash, const std::string& code_version = "") {
  RunRecord r;
  r.config_json = "{}";
  r.config_hash = hash;
  r.code_version = code_version;
  r.seed = 3;
  return r;
}

CanaryRecord canary(const std::string& code) {
  CanaryRecord c;
  c.suite = "canary";
  c.suite_file = "sweeps/canary.json";
  c.suite_hash = "feed";
  c.code_version = code;
  c.git_commit = code.substr(0, 40);
  c.git_dirty = code.find("+dirty") != std::string::npos;
  c.commit_time = 1700000000;
  c.commit_subject = "a change";
  return c;
}

class CanaryTest : public ::testing::Test {
 protected:
  testing::TempDir tmp;
};

TEST_F(CanaryTest, OneConfigIsOneRunPerCodeVersionAndOneSharedRunWithout) {
  Store s(tmp.path("db.sqlite"));
  const int64_t shared = s.register_run(canary_run("h"));
  const int64_t a = s.register_run(canary_run("h", "aaaa"));
  const int64_t b = s.register_run(canary_run("h", "bbbb"));
  EXPECT_NE(shared, a);
  EXPECT_NE(a, b);
  EXPECT_EQ(s.register_run(canary_run("h", "aaaa")), a);
  EXPECT_EQ(s.find_run("h")->id, shared);
  EXPECT_EQ(s.find_run("h", "bbbb")->id, b);
  EXPECT_EQ(s.run(b).record.code_version, "bbbb");
  EXPECT_FALSE(s.find_run("h", "cccc"));
}

TEST_F(CanaryTest, RegisterIsIdempotentAndRunsKeepTheirLinkOrder) {
  Store s(tmp.path("db.sqlite"));
  const int64_t id = s.register_canary(canary("aaaa"));
  EXPECT_EQ(s.register_canary(canary("aaaa")), id);
  const int64_t other = s.register_canary(canary("bbbb"));
  EXPECT_NE(other, id);
  const int64_t r2 = s.register_run(canary_run("h2", "aaaa"));
  const int64_t r1 = s.register_run(canary_run("h1", "aaaa"));
  s.link_canary_run(id, r2);
  s.link_canary_run(id, r1);
  s.link_canary_run(id, r2);
  s.set_canary_status(id, CanaryStatus::done);
  const auto all = s.canaries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, id);
  EXPECT_EQ(all[0].status, CanaryStatus::done);
  EXPECT_FALSE(all[0].ended_at.empty());
  EXPECT_EQ(all[0].run_ids, (std::vector<int64_t>{r2, r1}));
  EXPECT_EQ(all[0].record.commit_subject, "a change");
  EXPECT_EQ(all[1].status, CanaryStatus::running);
  EXPECT_TRUE(all[1].run_ids.empty());
  EXPECT_THROW(s.set_canary_status(99, CanaryStatus::failed), std::out_of_range);
}

TEST_F(CanaryTest, CodeVersionNamesTheDirtyChanges) {
  EXPECT_EQ(code_version("abc", false, "ffff"), "abc");
  EXPECT_EQ(code_version("abc", true, "0123456789abcdef"), "abc+dirty.0123456789ab");
}

// A database written by schema version 1 keeps its runs, ids and rows when opened by this code.
TEST_F(CanaryTest, MigratesAVersionOneDatabaseKeepingItsRuns) {
  const std::string path = tmp.path("v1.sqlite");
  {
    Database raw(path, 1000);
    raw.exec(migrations()[0], "schema 1");
    raw.exec("PRAGMA user_version = 1", "version 1");
    raw.exec("INSERT INTO runs(id, config_json, config_hash, seed, status, git_commit) "
             "VALUES (7, '{}', 'h7', 1, 'done', 'c0ffee')", "run");
    raw.exec("INSERT INTO metrics(run_id, step, key, value) VALUES (7, 10, 'train/loss', 0.5)", "metric");
  }
  Store s(path);
  EXPECT_EQ(s.schema_version(), code_schema_version());
  const auto run = s.run(7);
  EXPECT_EQ(run.status, RunStatus::done);
  EXPECT_EQ(run.record.code_version, "");
  EXPECT_EQ(run.record.provenance.git_commit, "c0ffee");
  ASSERT_EQ(s.metrics(7).size(), 1u);
  EXPECT_EQ(s.find_run("h7")->id, 7);
  // Foreign keys still hold against the rebuilt table.
  EXPECT_THROW(s.append_metrics(8, 1, {{"train/loss", 1.0}}), std::exception);
  Database raw(path, 1000);
  auto check = raw.prepare("PRAGMA foreign_key_check", "check");
  EXPECT_FALSE(check.step());
}

TEST_F(CanaryTest, GitResolvesNamesAndHashesUncommittedChanges) {
  if (!git_available()) GTEST_SKIP() << "git not installed";
  const std::string dir = tmp.path("repo");
  const std::string git = "git -C '" + dir + "' -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "' && git init -q '" + dir + "'").c_str()), 0);
  { std::ofstream(dir + "/a.txt") << "one\n"; }
  ASSERT_EQ(std::system((git + "add a.txt && " + git + "commit -q -m first && " + git + "tag v1").c_str()), 0);
  { std::ofstream(dir + "/a.txt") << "two\n"; }
  ASSERT_EQ(std::system((git + "commit -q -am 'second change'").c_str()), 0);

  const auto head = resolve_commit(dir, "HEAD");
  const auto first = resolve_commit(dir, "HEAD~1");
  ASSERT_TRUE(head && first);
  EXPECT_EQ(head->subject, "second change");
  EXPECT_GT(head->time, 1000000000);
  EXPECT_EQ(resolve_commit(dir, "v1")->sha, first->sha);
  EXPECT_EQ(resolve_commit(dir, head->sha.substr(0, 8))->sha, head->sha);
  EXPECT_FALSE(resolve_commit(dir, "no-such-branch"));
  EXPECT_FALSE(resolve_commit(dir, "--all"));
  EXPECT_EQ(commits_in_git_order(dir), (std::vector<std::string>{first->sha, head->sha}));

  const std::string clean = uncommitted_changes_hash(dir);
  { std::ofstream(dir + "/a.txt") << "three\n"; }
  const std::string edited = uncommitted_changes_hash(dir);
  EXPECT_NE(edited, clean);
  EXPECT_EQ(uncommitted_changes_hash(dir), edited);
  { std::ofstream(dir + "/new.txt") << "x\n"; }
  const std::string untracked = uncommitted_changes_hash(dir);
  EXPECT_NE(untracked, edited);
  { std::ofstream(dir + "/new.txt") << "y\n"; }
  EXPECT_NE(uncommitted_changes_hash(dir), untracked);
  EXPECT_FALSE(resolve_commit(tmp.path(""), "HEAD"));
}

}  // namespace
}  // namespace rflab::results
