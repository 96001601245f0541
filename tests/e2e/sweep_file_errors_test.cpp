// Malformed sweep files are rejected by every sweep command with a message naming the file and
// the field, before anything is written: no database, no run directory.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

struct SweepFileCase {
  const char* name;
  std::string text;
  const char* needle;  // part of the message: the field or position
};

std::vector<SweepFileCase> cases() {
  const auto base = tiny_base(6, 3, 3);
  const nlohmann::json axis = {{{"key", "formulation"}, {"values", {"rf"}}}};
  auto with = [&](const std::string& key, const nlohmann::json& v) {
    auto doc = tiny_sweep("bad", base, axis);
    doc[key] = v;
    return doc.dump();
  };
  auto bad_base = tiny_sweep("bad", base, axis);
  bad_base["base"]["model"]["depth"] = 0;
  auto unknown_key = tiny_sweep("bad", base, axis);
  unknown_key["base"]["model"]["depthh"] = 2;
  return {
      {"syntax", "{\"name\": \"bad\", \"axes\": [", "line"},
      {"not_object", "[1, 2]", "expected"},
      {"axes_not_array", with("axes", "formulation"), "axes"},
      {"empty_values", with("axes", {{{"key", "formulation"}, {"values", nlohmann::json::array()}}}), "axes[0]"},
      {"unknown_formulation", with("axes", {{{"key", "formulation"}, {"values", {"rf", "nonsense"}}}}), "axes[0]"},
      {"bad_base_value", bad_base.dump(), "model.depth"},
      {"unknown_config_key", unknown_key.dump(), "depthh"},
      {"bad_seeds", with("seeds", "zero"), "seeds"},
      {"unknown_top_key", with("axis", nlohmann::json::array()), "axis"},
  };
}

TEST(SweepFileErrors, EveryCommandRejectsWithoutWriting) {
  TempDir tmp;
  for (const auto& c : cases()) {
    const std::string file = tmp.path(std::string(c.name) + ".json");
    write_file(file, c.text);
    // `run` is the command that would write; every command shares the same loading path, so the
    // others are checked on two cases only (each rflab start costs most of a second).
    const bool all = std::string(c.name) == "syntax" || std::string(c.name) == "bad_base_value";
    for (const char* cmd : {"run", "plan", "status", "slurm"}) {
      if (!all && std::string(cmd) != "run") continue;
      const std::string db = tmp.path(std::string(c.name) + "-" + cmd + ".db");
      const std::string runs = tmp.path(std::string(c.name) + "-" + cmd + "-runs");
      std::vector<std::string> args{"sweep", cmd, file, "--db", db, "--out-root", runs};
      if (std::string(cmd) == "slurm") args.insert(args.end(), {"--out", tmp.path("x.sbatch"), "--shard-dir", tmp.path("shards")});
      const Result r = rflab(args, tmp.path());
      EXPECT_EQ(r.code, 1) << c.name << " / " << cmd << ": " << r.err;
      EXPECT_NE(r.err.find(file), std::string::npos) << c.name << " / " << cmd << ": " << r.err;
      EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.name << " / " << cmd << ": " << r.err;
      EXPECT_FALSE(fs::exists(db)) << c.name << " / " << cmd;
      EXPECT_FALSE(fs::exists(runs)) << c.name << " / " << cmd;
      EXPECT_FALSE(fs::exists(tmp.path("x.sbatch"))) << c.name;
      EXPECT_FALSE(fs::exists(tmp.path("shards"))) << c.name;
    }
  }
}

TEST(SweepFileErrors, MissingFileIsNamed) {
  TempDir tmp;
  const Result r = rflab({"sweep", "run", tmp.path("absent.json"), "--db", tmp.path("r.db")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("absent.json"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("r.db")));
}

TEST(SweepFileErrors, BadResourcesRejectedBySlurm) {
  TempDir tmp;
  auto doc = tiny_sweep("s", tiny_base(6, 3, 3), {{{"key", "formulation"}, {"values", {"rf"}}}});
  doc["resources"] = {{"cpus", "four"}};
  write_file(tmp.path("s.json"), doc.dump());
  const Result r = rflab({"sweep", "slurm", tmp.path("s.json"), "--out", tmp.path("x.sbatch"), "--shard-dir",
                          tmp.path("shards"), "--db", tmp.path("r.db")}, tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("resources.cpus"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("x.sbatch")));
  EXPECT_FALSE(fs::exists(tmp.path("shards")));
}

}  // namespace
}  // namespace rflab::e2e
