// The error contract, table-driven: every malformed input across the commands exits with its
// documented status (2 for usage: an unknown command or flag, a missing argument; 1 for a bad
// value, file, config or database), says what was wrong in the "FIELD: expected X, got Y"
// shape, and writes nothing: every file of the working directory is byte-for-byte as before,
// and no database, run folder or cache appeared. Each case runs rflab in a fresh directory
// holding the same set of (good and bad) input files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <map>

#include "results/store.h"
#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

struct Case {
  std::string name;  // the test's name
  std::vector<std::string> args;
  int status;
  std::vector<std::string> says;  // substrings of stderr
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

// A NumPy .npy of a float64 matrix, row-major.
std::string npy(const std::vector<std::vector<double>>& rows) {
  const size_t n = rows.size(), d = rows.at(0).size();
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " +
                       std::to_string(d) + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  for (const auto& r : rows)
    for (double v : r) out.append(reinterpret_cast<const char*>(&v), sizeof v);
  return out;
}

nlohmann::json sweep_with(const nlohmann::json& extra) {
  nlohmann::json s = tiny_sweep("bad", tiny_base(2, 1, 1), nlohmann::json::array());
  for (const auto& [k, v] : extra.items()) s[k] = v;
  return s;
}

// The working directory of every case: inputs only; results/, runs/ and cache/ must not appear.
void write_inputs(const fs::path& d) {
  write_file(d / "ok.json", tiny_base(2, 1, 1).dump());
  write_file(d / "bad-syntax.json", "{\"train\": {\"steps\": 3,}}");
  write_file(d / "list.json", "[1, 2]");
  write_file(d / "not-a-db.db", "these bytes are not an SQLite database\n");
  fs::create_directories(d / "a-folder.db");
  write_file(d / "garbage.safetensors", "not a safetensors file");
  write_file(d / "garbage.txt", "neither npy nor npz");
  write_file(d / "ok.npy", npy({{0, 1}, {1, 0}, {2, 2}, {0.5, 1.5}}));
  write_file(d / "nan.npy", npy({{0, 1}, {1, std::nan("")}, {2, 2}}));
  write_file(d / "inf.npy", npy({{0, 1}, {1, 2}, {HUGE_VAL, 2}}));
  write_file(d / "wide.npy", npy({{0, 1, 2}, {1, 0, 2}, {2, 2, 2}}));
  write_file(d / "eval-steps.json",
             sweep_with({{"evaluation", {{"settings", {{{"name", "S9"}, {"steps", -5}, {"cfg", "x"}}}}}}}).dump());
  write_file(d / "eval-metrics.json", sweep_with({{"evaluation", {{"metrics", {"clip_fid"}}}}}).dump());
  write_file(d / "eval-reserved.json",
             sweep_with({{"evaluation", {{"settings", {{{"name", "val"}, {"steps", 5}, {"cfg", 1}}}}}}}).dump());
  write_file(d / "eval-samples.json", sweep_with({{"evaluation", {{"samples", 3}}}}).dump());
  write_file(d / "resources.json", sweep_with({{"resources", {{"cpus", "many"}}}}).dump());
  nlohmann::json heads = sweep_with({});
  heads["base"]["model"]["heads"] = 3;
  write_file(d / "heads3.json", heads.dump());
  write_file(d / "formulation.json",
             sweep_with({{"axes", {{{"key", "formulation"}, {"values", {"rf", "rf/bogus"}}}}}}).dump());
  write_file(d / "typo-key.json", sweep_with({{"axis", nlohmann::json::array()}}).dump());
  nlohmann::json depth = sweep_with({});
  depth["base"]["model"]["depht"] = 2;
  write_file(d / "typo-config.json", depth.dump());
  nlohmann::json root = sweep_with({});
  root["base"]["data"] = {{"root", "/nonexistent/fashion-mnist"}};
  write_file(d / "no-data.json", root.dump());
  results::Store(fs::path(d / "empty.db").string());  // a valid, empty store
}

std::map<std::string, std::string> snapshot(const fs::path& d) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(d)) {
    const std::string rel = fs::relative(e.path(), d).string();
    files[rel] = e.is_regular_file() ? read_file(e.path()) : std::string("(folder)");
  }
  return files;
}

// rflab with a watchdog: a case whose validation failed to stop it would otherwise train.
Result run_within(const std::vector<std::string>& args, const std::string& log_dir, const std::string& cwd,
                  double seconds) {
  Process p(args, log_dir, cwd);
  bool exited = wait_until(
      [&] {
        siginfo_t info{};
        return ::waitid(P_PID, static_cast<id_t>(p.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == p.pid();
      },
      seconds);
  if (!exited) ::kill(p.pid(), SIGKILL);
  return p.wait();
}

class MalformedInput : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedInput, ExitsWithItsStatusSaysWhyAndWritesNothing) {
  const Case& c = GetParam();
  TempDir work, logs(c.name + "_logs");
  write_inputs(work.path());
  const auto before = snapshot(work.path());
  const Result r = run_within(c.args, logs.path(), work.path(), 60);
  EXPECT_EQ(r.code, c.status) << "stderr: " << r.err << "\nstdout: " << r.out;
  for (const auto& s : c.says) EXPECT_NE(r.err.find(s), std::string::npos) << "'" << s << "' not in: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  const auto after = snapshot(work.path());
  for (const auto& [file, bytes] : after) {
    auto it = before.find(file);
    EXPECT_TRUE(it != before.end()) << c.name << " wrote " << file;
    if (it != before.end()) EXPECT_TRUE(it->second == bytes) << c.name << " changed " << file;
  }
  for (const auto& [file, bytes] : before) EXPECT_TRUE(after.count(file)) << c.name << " removed " << file;
}

const std::vector<Case> kCases = {
    // --- usage: exit 2 -------------------------------------------------------------------------
    {"UnknownCommand", {"trian"}, 2, {"unknown command 'trian'"}},
    {"UnknownFlag", {"train", "--config", "ok.json", "--no-such-flag"}, 2, {"unknown flag --no-such-flag"}},
    {"UnknownGlobalFlag", {"--fast", "train"}, 2, {"unknown global flag --fast"}},
    {"GroupWithoutSubcommand", {"clip"}, 2, {"'clip' needs a subcommand", "clip train"}},
    {"UnknownSubcommand", {"sweep", "walk"}, 2, {"unknown command 'sweep walk'", "sweep run"}},
    {"FlagWithoutValue", {"train", "--set"}, 2, {"--set expects a value"}},
    {"FidNeedsTwoInputs", {"fid", "ok.npy"}, 2, {"expected two inputs"}},
    {"SweepPlanNeedsAFile", {"sweep", "plan"}, 2, {"expected one sweep FILE"}},
    {"EvalNeedsRunOrSweep", {"eval"}, 2, {"--run ID and --sweep FILE"}},
    {"RegressCompareNeedsACommit", {"regress", "compare"}, 2, {"expected BASE [HEAD]"}},
    // --- the run config: exit 1 ------------------------------------------------------------------
    {"HeadsNotDividingTheWidth", {"train", "--set", "model.heads=3"}, 1,
     {"model.heads: expected a divisor of the width 256, got 3"}},
    {"WidthNotAMultipleOfFour", {"config", "show", "--set", "model.width=66"}, 1,
     {"model.width: expected a positive multiple of 4"}},
    {"PatchNotDividingTheImage", {"train", "--set", "model.patch_size=5"}, 1,
     {"model.patch_size: expected a divisor of data.image_size 32, got 5"}},
    {"PositionTableSmallerThanTheGrid", {"train", "--set", "model.pos_embed_max_size=4"}, 1,
     {"model.pos_embed_max_size: expected 0 or at least the patch grid 8, got 4"}},
    {"UnknownFormulation", {"train", "--set", "formulation=rf/bogus"}, 1, {"formulation: expected", "got 'rf/bogus'"}},
    {"FormulationOutOfRange", {"train", "--set", "formulation=rf/lognorm(0.00, -1.00)"}, 1,
     {"formulation: expected a logit-normal scale s > 0"}},
    {"MissingDatasetFolder", {"train", "--config", "ok.json", "--set", "data.root=/nonexistent/fashion-mnist"}, 1,
     {"/nonexistent/fashion-mnist: Fashion-MNIST folder not found"}},
    {"MisspeltKey", {"train", "--set", "model.depht=3"}, 1, {"model.depht: expected a known config key", "did you mean model.depth?"}},
    {"NotANumber", {"train", "--set", "train.lr=fast"}, 1, {"train.lr: expected a number"}},
    {"OutOfRange", {"train", "--set", "train.steps=-5"}, 1, {"train.steps: expected an integer in [1, 1000000000], got -5"}},
    {"ContextWidthUnlikeTheConditioner", {"train", "--set", "model.context_dim=32"}, 1, {"model.context_dim: expected 64"}},
    {"UnknownDevice", {"train", "--device", "tpu"}, 1, {"train.device: expected one of cpu, cuda"}},
    {"MissingConfigFile", {"train", "--config", "missing.json"}, 1, {"missing.json: cannot open"}},
    {"ConfigWithBadSyntax", {"train", "--config", "bad-syntax.json"}, 1, {"bad-syntax.json: invalid JSON"}},
    {"ConfigNotAnObject", {"train", "--config", "list.json"}, 1, {"list.json: (top level): expected a JSON object"}},
    {"ModelInfoOfABadShape", {"model", "info", "--set", "model.heads=7"}, 1, {"model.heads: expected a divisor"}},
    // --- databases: exit 1 -----------------------------------------------------------------------
    {"DatabaseIsAFolder", {"train", "--config", "ok.json", "--db", "a-folder.db"}, 1,
     {"a-folder.db: database: expected an SQLite database file, got a folder"}},
    {"DatabaseIsNotADatabase", {"train", "--config", "ok.json", "--db", "not-a-db.db"}, 1,
     {"not-a-db.db: database: expected an SQLite database file, got a file that is not one"}},
    {"EvalOfAFolderDatabase", {"eval", "--run", "1", "--db", "a-folder.db"}, 1, {"got a folder"}},
    {"RankOfANonDatabase", {"rank", "--db", "not-a-db.db"}, 1, {"got a file that is not one"}},
    {"EvalOfAnUnknownRun", {"eval", "--run", "7", "--db", "empty.db"}, 1, {"7"}},
    // --- sweep files: exit 1, before any training ----------------------------------------------
    {"SweepPlanBadEvaluationSetting", {"sweep", "plan", "eval-steps.json"}, 1,
     {"eval-steps.json: evaluation.settings[0].steps: expected an integer >= 1, got -5"}},
    {"SweepRunBadEvaluationSetting", {"sweep", "run", "eval-steps.json"}, 1, {"evaluation.settings[0].steps"}},
    {"SweepMetricsListRefused", {"sweep", "plan", "eval-metrics.json"}, 1, {"evaluation.metrics: expected"}},
    {"SweepReservedSettingName", {"sweep", "run", "eval-reserved.json"}, 1, {"evaluation.settings[0].name"}},
    {"SweepTooFewSamples", {"sweep", "plan", "eval-samples.json"}, 1, {"evaluation.samples: expected an integer >= 10"}},
    {"SweepBadResources", {"sweep", "run", "resources.json"}, 1, {"resources.cpus: expected an integer"}},
    {"SweepModelShape", {"sweep", "run", "heads3.json"}, 1, {"model.heads: expected a divisor of the width 64, got 3"}},
    {"SweepBadFormulation", {"sweep", "plan", "formulation.json"}, 1, {"axes[0].values[1]", "rf/bogus"}},
    {"SweepUnknownTopLevelKey", {"sweep", "plan", "typo-key.json"}, 1, {"axis"}},
    {"SweepMisspeltConfigKey", {"sweep", "run", "typo-config.json"}, 1, {"model.depht", "did you mean model.depth?"}},
    {"SweepMissingDataset", {"sweep", "run", "no-data.json"}, 1, {"/nonexistent/fashion-mnist"}},
    {"SweepFileMissing", {"sweep", "run", "missing.json"}, 1, {"missing.json"}},
    // --- feature files, checkpoints, flags: exit 1 -----------------------------------------------
    {"FidOfNaNFeatures", {"fid", "nan.npy", "ok.npy"}, 1, {"nan.npy: features: expected finite values, got nan at row 1, column 1"}},
    {"FidOfInfiniteFeatures", {"fid", "ok.npy", "inf.npy"}, 1, {"inf.npy: features: expected finite values"}},
    {"FidOfAnUnknownFormat", {"fid", "ok.npy", "garbage.txt"}, 1, {"garbage.txt: format: expected a .npy"}},
    {"FidOfUnequalDimensions", {"fid", "ok.npy", "wide.npy"}, 1, {"dimension: expected features of equal dimension"}},
    {"KidSubsetsNotAnInteger", {"fid", "ok.npy", "ok.npy", "--kid", "--kid-subsets", "x"}, 1,
     {"--kid-subsets: expected an integer, got 'x'"}},
    {"KidSubsetsZero", {"fid", "ok.npy", "ok.npy", "--kid", "--kid-subsets", "0"}, 1, {"subsets: expected at least 1"}},
    {"SampleOfAMissingCheckpoint", {"sample", "--checkpoint", "missing.safetensors", "--prompt", "a bag"}, 1,
     {"missing.safetensors"}},
    {"SampleOfAGarbageCheckpoint", {"sample", "--checkpoint", "garbage.safetensors", "--prompt", "a bag"}, 1,
     {"garbage.safetensors"}},
    {"SampleZeroSteps", {"sample", "--checkpoint", "garbage.safetensors", "--prompt", "a bag", "--steps", "0"}, 1,
     {"--steps: expected a positive integer, got 0"}},
    {"VerifyAGarbageFile", {"model", "verify", "garbage.safetensors"}, 1, {"garbage.safetensors"}},
    {"ThreadsNotANumber", {"--threads", "many", "train"}, 1, {"--threads: expected a positive integer, got 'many'"}},
    {"ThreadsZero", {"train", "--threads", "0"}, 1, {"--threads: expected a positive integer, got '0'"}},
    {"EvalSamplesTooFew", {"eval", "--run", "1", "--db", "empty.db", "--samples", "3"}, 1,
     {"--samples: expected an integer >= 10"}},
};

INSTANTIATE_TEST_SUITE_P(Table, MalformedInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(CommandGroups, EveryGroupsHelpListsItsSubcommands) {
  TempDir logs;
  const std::map<std::string, std::vector<std::string>> groups = {
      {"clip", {"clip train", "clip info"}},
      {"sweep", {"sweep plan", "sweep run", "sweep status", "sweep slurm"}},
      {"model", {"model info", "model verify"}},
      {"regress", {"regress run", "regress compare", "regress history"}},
      {"results", {"results merge", "results table"}},
      {"config", {"config keys", "config show"}},
      {"formulations", {"formulations list"}},
      {"classifier", {"classifier train", "classifier info"}},
  };
  for (const auto& [group, subcommands] : groups) {
    const Result r = rflab({group, "--help"}, logs.path());
    EXPECT_EQ(r.code, 0) << group << ": " << r.err;
    for (const auto& s : subcommands) EXPECT_NE(r.out.find(s), std::string::npos) << group << " --help lacks " << s;
  }
}

TEST(Threads, MoreThanTheMachineHasAreCappedWithANote) {
  TempDir logs;
  const Result r = rflab({"--threads", "100000", "config", "show"}, logs.path());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("--threads 100000 is more than the"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rflab::e2e
