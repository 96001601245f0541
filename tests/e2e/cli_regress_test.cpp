// rflab regress end to end, in a git repository of its own: a tiny canary suite (three seeds)
// run at a base commit, again at the same commit, at a commit that changes no numerics, and at a
// commit that plants a regression (a learning rate 1000 times smaller), then compared; dirty
// trees refused, and a commit without a canary named. Each test is one sequence of commits (CTest
// runs every test in a process of its own, so nothing is shared between them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "e2e_util.h"
#include "results/store.h"

namespace rflab::e2e {
namespace {

nlohmann::json tiny_suite(double lr) {
  auto base = tiny_base(20, 10, 10);
  base["train"]["lr"] = lr;
  base["train"]["ema_decay"] = 0.8;
  return {{"name", "canary"},
          {"base", base},
          {"axes", nlohmann::json::array()},
          {"seeds", {0, 1, 2}},
          {"evaluation",
           {{"weights", {"ema", "raw"}}, {"settings", {{{"name", "S4"}, {"steps", 5}, {"cfg", 5.0}}}}, {"samples", 20}}}};
}

struct Repo {
  std::string dir;
  int git(const std::string& args) const {
    return std::system(("git -C '" + dir + "' -c user.name=t -c user.email=t@t " + args + " >/dev/null 2>&1").c_str());
  }
  std::string sha(const std::string& name) const {
    FILE* p = popen(("git -C '" + dir + "' rev-parse " + name).c_str(), "r");
    char buf[64] = {0};
    const size_t n = fread(buf, 1, 40, p);
    pclose(p);
    return std::string(buf, n);
  }
};

// A git repository with the tiny suite committed, and a results database beside it.
struct Sandbox {
  TempDir tmp;
  Repo repo;
  std::string db;
  Sandbox() {
    repo.dir = tmp.path("repo");
    db = tmp.path("canary.db");
    EXPECT_EQ(std::system(("git init -q '" + repo.dir + "'").c_str()), 0);
    write_file(repo.dir + "/suite.json", tiny_suite(1e-3).dump(2));
    write_file(repo.dir + "/.gitignore", "runs/\nreports/\n");
    EXPECT_EQ(repo.git("add -A") + repo.git("commit -q -m base"), 0);
  }
  Result regress(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"regress"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--db");
    all.push_back(db);
    return rflab(all, tmp.path(), repo.dir);
  }
  Result run_canary(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"run", "--suite", "suite.json", "--cache", eval_cache(), "--evaluator-steps", "20",
                                     "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return regress(args);
  }
};

// Base, a rerun at it, a commit touching no numerics, and a planted regression, compared.
TEST(RegressCli, ComparesCommitsAndFindsAPlantedRegression) {
  Sandbox s;
  const std::string base = s.repo.sha("HEAD");
  const auto first = s.run_canary();
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("canary canary at " + base.substr(0, 12)), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("3 trained, 3 evaluated, 0 reused"), std::string::npos) << first.out;
  {
    results::Store store(s.db);
    size_t at_base = 0;
    for (const auto& r : store.runs())
      if (r.record.code_version == base) {
        ++at_base;
        EXPECT_EQ(r.record.provenance.git_commit, base);
        EXPECT_FALSE(r.record.provenance.git_dirty);
        EXPECT_FALSE(r.record.provenance.libtorch_version.empty());
      }
    EXPECT_EQ(at_base, 3u);
  }

  // A rerun at the same commit reuses the stored runs and says so.
  const auto rerun = s.run_canary();
  ASSERT_EQ(rerun.code, 0) << rerun.out << rerun.err;
  EXPECT_NE(rerun.out.find("all 3 runs were already stored under " + base.substr(0, 12)), std::string::npos) << rerun.out;
  {
    results::Store store(s.db);
    size_t canaries_at_base = 0;
    for (const auto& c : store.canaries()) canaries_at_base += c.record.git_commit == base && !c.record.git_dirty;
    EXPECT_EQ(canaries_at_base, 1u);
    EXPECT_EQ(store.runs().size(), 3u);
  }

  // A commit that changes no numerics trains its own runs, and they compare as unchanged.
  write_file(s.repo.dir + "/NOTES.md", "a change that touches no numerics\n");
  ASSERT_EQ(s.repo.git("add -A") + s.repo.git("commit -q -m 'docs only'"), 0);
  const std::string docs = s.repo.sha("HEAD");
  const auto docs_only = s.run_canary();
  ASSERT_EQ(docs_only.code, 0) << docs_only.out << docs_only.err;
  EXPECT_NE(docs_only.out.find("3 trained"), std::string::npos) << docs_only.out;
  auto r = s.regress({"compare", base.substr(0, 8), docs, "--repo", s.repo.dir});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no regression"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("numerics-only"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("**worse**"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| unchanged |"), std::string::npos) << r.out;

  // The planted regression: exit 1, the validation loss worse, named by git (HEAD~2 and a tag).
  write_file(s.repo.dir + "/suite.json", tiny_suite(1e-6).dump(2));
  ASSERT_EQ(s.repo.git("commit -q -am 'a much smaller learning rate'") + s.repo.git("tag planted"), 0);
  const std::string bad = s.repo.sha("HEAD");
  const auto planted = s.run_canary();
  ASSERT_EQ(planted.code, 0) << planted.out << planted.err;
  r = s.regress({"compare", "HEAD~2", "planted", "--repo", s.repo.dir});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSION in"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\| val/native \(raw\) \| lower \|[^\n]*\*\*worse\*\*)"))) << r.out;
  const std::string xml = s.tmp.path("junit.xml");
  const auto j = s.regress({"compare", base, bad, "--repo", s.repo.dir, "--format", "junit", "--out", xml});
  EXPECT_EQ(j.code, 1) << j.err;
  if (std::system("xmllint --version >/dev/null 2>&1") == 0) {
    const std::string schema = std::string(RFLAB_SOURCE_DIR) + "/tests/data/junit.xsd";
    EXPECT_EQ(std::system(("xmllint --noout --schema '" + schema + "' '" + xml + "' 2>/dev/null").c_str()), 0);
  }
  EXPECT_NE(read_file(xml).find("<failure type=\"regression\""), std::string::npos);
  // The torch binary gives the same verdict as the front that served `regress compare`.
  const std::string analysed = s.tmp.path("analysed.json");
  const int code = std::system((std::string(RFLAB_TORCH_EXE) + " regress compare " + base + " " + bad + " --db " + s.db +
                                " --format json --out " + analysed + " 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(code), 1);
  EXPECT_TRUE(nlohmann::json::parse(read_file(analysed)).at("regressed").get<bool>());

  // The history: the three commits in git order.
  r = s.regress({"history", "--repo", s.repo.dir, "--metric", "val/native", "--no-plots"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto a = r.out.find("`" + base.substr(0, 12) + "`"), b = r.out.find("`" + docs.substr(0, 12) + "`"),
             c = r.out.find("`" + bad.substr(0, 12) + "`");
  ASSERT_NE(a, std::string::npos) << r.out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(r.out.find("git order"), std::string::npos) << r.out;
}

// A dirty tree is refused unless allowed and then recorded dirty; a commit without a canary
// (or a name git does not know) exits with the distinct status 4.
TEST(RegressCli, RefusesADirtyTreeAndNamesACommitWithoutACanary) {
  Sandbox s;
  const std::string base = s.repo.sha("HEAD");
  write_file(s.repo.dir + "/NOTES.md", "uncommitted\n");
  const auto refused = s.run_canary();
  EXPECT_EQ(refused.code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("uncommitted changes"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-dirty"), std::string::npos) << refused.err;
  EXPECT_TRUE(results::Store(s.db).runs().empty());  // nothing trained, nothing stored

  const auto dirty = s.run_canary({"--allow-dirty"});
  ASSERT_EQ(dirty.code, 0) << dirty.out << dirty.err;
  EXPECT_NE(dirty.out.find("recorded as dirty"), std::string::npos) << dirty.out;
  {
    results::Store store(s.db);
    const auto all = store.canaries();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all.back().record.git_dirty);
    EXPECT_EQ(all.back().record.git_commit, base);
    EXPECT_NE(all.back().record.code_version.find(base + "+dirty."), std::string::npos);
    for (const int64_t id : all.back().run_ids) EXPECT_TRUE(store.run(id).record.provenance.git_dirty);
  }
  // A dirty canary stands for its commit when there is no clean one.
  ASSERT_EQ(s.repo.git("add -A") + s.repo.git("commit -q -m 'never measured'"), 0);
  const std::string next = s.repo.sha("HEAD");
  auto r = s.regress({"compare", base, next, "--repo", s.repo.dir});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("no stored canary of suite 'canary' at " + next.substr(0, 12)), std::string::npos) << r.err;
  r = s.regress({"compare", "no-such-branch", "--repo", s.repo.dir});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("'no-such-branch' names no commit"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rflab::e2e
