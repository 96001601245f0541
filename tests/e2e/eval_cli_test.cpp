// rflab eval and rflab validate end to end: a tiny run trained with rflab train, evaluated at
// N = 20 under S4 with tiny evaluators (cached in the build directory across test processes).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <sstream>
#include <set>

#include "e2e_util.h"
#include "results/sha256.h"
#include "eval/validation_evaluator.h"
#include "results/store.h"

namespace rflab::e2e {
namespace {

// A done tiny run in `dir` (database dir/db.sqlite); returns its id.
int64_t train_tiny_run(const TempDir& dir) {
  write_file(dir.path("tiny.json"), tiny_base(30, 10, 10).dump());
  const auto r = rflab({"train", "--config", "tiny.json", "--db", "db.sqlite", "--cache", conditioner_cache()},
                       dir.path(), dir.path());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  return 1;
}

Result run_eval(const TempDir& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"eval", "--run", "1", "--db", "db.sqlite", "--samples", "20", "--settings", "S4",
                                   "--evaluator-steps", "20", "--cache", eval_cache(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return rflab(args, dir.path(), dir.path());
}

using Key = std::tuple<std::string, std::string, std::string>;  // setting, weights, metric
std::map<Key, results::EvaluationRow> rows_by_key(const std::string& db) {
  results::Store store(db);
  std::map<Key, results::EvaluationRow> out;
  for (const auto& r : store.evaluations(1)) {
    EXPECT_TRUE(out.emplace(Key{r.setting, r.weights, r.metric}, r).second) << "duplicate " << r.metric;
  }
  return out;
}

TEST(EvalCli, StoresEveryFigureWithItsSettingAndEvaluator) {
  TempDir dir;
  train_tiny_run(dir);
  const auto r = run_eval(dir, {"--weights", "ema,raw"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("N = 20"), std::string::npos) << r.out;
  const auto rows = rows_by_key(dir.path("db.sqlite"));
  const std::set<std::string> clip = {"clip_fid", "clip_kid", "clip_kid_se", "clip_score", "clip_score_100"};
  const std::set<std::string> cls = {"classifier_fd", "precision", "recall", "density", "coverage", "class_accuracy"};
  std::set<std::string> clip_hashes, cls_hashes;
  for (const std::string w : {"ema", "raw"}) {
    for (const auto& m : clip) ASSERT_TRUE(rows.count({"S4", w, m})) << w << " " << m;
    for (const auto& m : cls) ASSERT_TRUE(rows.count({"S4", w, m})) << w << " " << m;
    for (const std::string m : {"network_evals", "wall_seconds"}) ASSERT_TRUE(rows.count({"S4", w, m})) << m;
    for (const std::string m : {"clip_fid", "classifier_fd", "precision", "coverage"})
      ASSERT_TRUE(rows.count({"real", w, m})) << "noise floor " << m;
    ASSERT_TRUE(rows.count({"val", w, "val/native"}));
  }
  for (const auto& [key, row] : rows) {
    const auto& [setting, weights, metric] = key;
    EXPECT_EQ(row.checkpoint_step, 30);
    if (setting == "S4") {
      EXPECT_EQ(row.steps, 5);
      EXPECT_EQ(row.cfg, 5.0);
      EXPECT_EQ(row.n, 20);
    } else if (setting == "real") {
      EXPECT_EQ(row.n, 20);
    } else {
      EXPECT_EQ(setting, "val");
      EXPECT_EQ(row.n, 16);  // eval.val_size
    }
    if (clip.count(metric)) {
      EXPECT_EQ(row.feature_space, "mini-clip-evaluator");
      clip_hashes.insert(row.evaluator_hash);
    } else if (cls.count(metric)) {
      EXPECT_EQ(row.feature_space, "classifier");
      cls_hashes.insert(row.evaluator_hash);
    } else {
      EXPECT_EQ(row.feature_space, "") << metric;
      EXPECT_EQ(row.evaluator_hash, "") << metric;
    }
  }
  // One evaluator each, named by the cache file it lives in.
  ASSERT_EQ(clip_hashes.size(), 1u);
  ASSERT_EQ(cls_hashes.size(), 1u);
  EXPECT_TRUE(fs::exists(eval_cache() + "/clip-" + clip_hashes.begin()->substr(0, 12) + ".safetensors"));
  EXPECT_TRUE(fs::exists(eval_cache() + "/classifier-" + cls_hashes.begin()->substr(0, 12) + ".safetensors"));
  // 5 Euler steps with CFG: two network passes per step.
  EXPECT_EQ(rows.at({"S4", "ema", "network_evals"}).value, 10);

  results::Store store(dir.path("db.sqlite"));
  // The best checkpoint's EMA validation is the trainer's logged figure (eval takes it from the
  // run's metrics; `rflab validate` recomputes it, ValidatePrintsTheTrainersFigure below).
  for (const auto& m : store.metrics(1, "val/native"))
    if (m.step == 30) EXPECT_EQ(rows.at({"val", "ema", "val/native"}).value, m.value);
  std::set<std::string> grids;
  for (const auto& a : store.artifacts(1))
    if (a.kind == "eval_grid") {
      EXPECT_EQ(a.sha256, results::sha256_file(dir.path(a.path)));
      grids.insert(fs::path(a.path).filename().string());
    }
  EXPECT_EQ(grids, (std::set<std::string>{"eval-S4-ema.png", "eval-S4-raw.png"}));
}

TEST(EvalCli, RerunReplacesAndTheBatchSizeChangesNoSample) {
  TempDir dir;
  train_tiny_run(dir);
  ASSERT_EQ(run_eval(dir, {"--weights", "ema", "--batch", "100"}).code, 0);
  const auto first = rows_by_key(dir.path("db.sqlite"));
  results::Store store(dir.path("db.sqlite"));
  std::string grid;
  for (const auto& a : store.artifacts(1))
    if (a.kind == "eval_grid") grid = a.path;
  ASSERT_FALSE(grid.empty());
  const std::string grid_bytes = read_file(dir.path(grid));
  // Batches of 3 draw the same noise per sample index: the same images, hence the same figures.
  const auto r = run_eval(dir, {"--weights", "ema", "--batch", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto second = rows_by_key(dir.path("db.sqlite"));
  ASSERT_EQ(second.size(), first.size());
  for (const auto& [key, row] : first) {
    if (std::get<2>(key) == "wall_seconds") continue;
    EXPECT_NEAR(second.at(key).value, row.value, 1e-6 * (1 + std::abs(row.value))) << std::get<2>(key);
  }
  EXPECT_EQ(read_file(dir.path(grid)), grid_bytes);
}

TEST(EvalCli, ValidatePrintsTheTrainersFigure) {
  TempDir dir;
  train_tiny_run(dir);
  results::Store store(dir.path("db.sqlite"));
  std::string best;
  for (const auto& a : store.artifacts(1))
    if (a.kind == "best_checkpoint") best = a.path;
  ASSERT_FALSE(best.empty());
  double logged = 0;
  for (const auto& m : store.metrics(1, "val/native"))
    if (m.step == 30) logged = m.value;
  const auto r = rflab({"validate", "--checkpoint", best}, dir.path(), dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto pos = r.out.find("mean");
  ASSERT_NE(pos, std::string::npos) << r.out;
  EXPECT_NEAR(std::stod(r.out.substr(pos + 4)), logged, 1e-5);
  // Level by level: the checkpoint's EMA weights validated again in this process (whose BLAS
  // kernels may differ from the trainer's, hence a rounding tolerance) against the stored figures
  // that `rflab eval` takes.
  const std::string best_file = fs::path(best).is_absolute() ? best : dir.path(best);  // relative to rflab's folder
  const auto ck = core::read_checkpoint(best_file);
  const auto again = eval::validate_checkpoint(ck, "ema", best_file);
  const auto stored = eval::trained_ema_validation(ck, store.metrics(1));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(again.n, stored->n);
  EXPECT_EQ(again.step, stored->step);
  for (int k = 0; k < core::kValidationLevels; ++k) {
    EXPECT_NEAR(again.loss.native[k], stored->loss.native[k], 1e-6 * again.loss.native[k]) << k;
    EXPECT_NEAR(again.loss.velocity[k], stored->loss.velocity[k], 1e-6 * again.loss.velocity[k]) << k;
  }
  EXPECT_NEAR(again.loss.native_mean, stored->loss.native_mean, 1e-6 * again.loss.native_mean);
}

TEST(EvalCli, UnknownOrUnfinishedRunIsAnErrorNamingIt) {
  TempDir dir;
  {
    results::Store store(dir.path("db.sqlite"));
    store.register_run({"{}", "pending-run", 0, {}, std::nullopt});
  }
  auto r = rflab({"eval", "--run", "42", "--db", dir.path("db.sqlite")}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--run 42"), std::string::npos) << r.err;
  r = rflab({"eval", "--run", "1", "--db", dir.path("db.sqlite")}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pending"), std::string::npos) << r.err;
  results::Store store(dir.path("db.sqlite"));
  EXPECT_TRUE(store.evaluations(1).empty());
}

TEST(EvalCli, SweepEvaluatesDoneRunsOnceAtItsN) {
  TempDir dir;
  auto sweep = tiny_sweep("eval-sweep", tiny_base(30, 10, 10), {{{"key", "formulation"}, {"values", {"rf"}}}});
  sweep["evaluation"] = {{"weights", {"ema"}}, {"settings", {"S4"}}, {"samples", 20}};
  write_file(dir.path("sweep.json"), sweep.dump());
  ASSERT_EQ(rflab({"sweep", "run", "sweep.json", "--db", "db.sqlite", "--cache", conditioner_cache()}, dir.path(),
                  dir.path()).code, 0);
  const std::vector<std::string> args = {"eval", "--sweep", "sweep.json", "--db", "db.sqlite", "--evaluator-steps", "20",
                                         "--cache", eval_cache(), "--quiet"};
  auto r = rflab(args, dir.path(), dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 runs evaluated"), std::string::npos) << r.out;
  const auto rows = rows_by_key(dir.path("db.sqlite"));
  EXPECT_TRUE(rows.count({"S4", "ema", "clip_fid"}));
  EXPECT_EQ(rows.at({"S4", "ema", "clip_fid"}).n, 20);
  r = rflab(args, dir.path(), dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 already evaluated at N = 20"), std::string::npos) << r.out;

  // rflab results table reads the same figures back: the run's line for S4 / ema at N = 20.
  r = rflab({"results", "table", "sweep.json", "--db", "db.sqlite"}, dir.path(), dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string fid = fmt::format("{:.3f}", rows.at({"S4", "ema", "clip_fid"}).value);
  const std::string acc = fmt::format("{:.3f}", rows.at({"S4", "ema", "class_accuracy"}).value);
  bool found = false;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("formulation=rf") != std::string::npos && line.find("| S4   ema     20") != std::string::npos) {
      found = true;
      EXPECT_NE(line.find(fid), std::string::npos) << line;
      EXPECT_NE(line.find(acc), std::string::npos) << line;
      EXPECT_NE(line.find("done"), std::string::npos) << line;
    }
  EXPECT_TRUE(found) << r.out;
}

TEST(EvalCli, SweepEvaluationBlockErrorsNameThePath) {
  TempDir dir;
  auto sweep = tiny_sweep("bad-eval", tiny_base(30, 10, 10), nlohmann::json::array());
  sweep["evaluation"] = {{"settings", {{{"name", "S1"}, {"steps", 0}, {"cfg", 1.0}}}}};
  write_file(dir.path("sweep.json"), sweep.dump());
  { results::Store store(dir.path("db.sqlite")); }
  const auto r = rflab({"eval", "--sweep", dir.path("sweep.json"), "--db", dir.path("db.sqlite")}, dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("evaluation.settings[0].steps"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rflab::e2e

namespace rflab::e2e {
namespace {

// A tiny shapes run through train and eval: the conditioner and evaluators learn from shapes,
// and every (setting, weights) stores prompt following per category and overall with intervals.
TEST(EvalCli, ShapesRunsStorePromptFollowing) {
  TempDir dir;
  auto config = tiny_base(20, 10, 10);
  config["data"] = {{"dataset", "shapes"}, {"captions", "mix(0.5)"}};
  config["model"]["in_channels"] = 3;
  config["text"]["max_tokens"] = 28;
  write_file(dir.path("shapes.json"), config.dump());
  auto r = rflab({"train", "--config", "shapes.json", "--db", "db.sqlite", "--cache", conditioner_cache()}, dir.path(),
                 dir.path());
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = run_eval(dir, {"--weights", "ema", "--prompts-per-category", "4"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("prompt following"), std::string::npos) << r.out;
  const auto rows = rows_by_key(dir.path("db.sqlite"));
  for (const std::string tag : {"single_object", "two_object", "counting", "colors", "position", "color_attr"}) {
    const std::string m = "prompt/" + tag;
    ASSERT_TRUE(rows.count({"S4", "ema", m})) << m;
    const auto& rate = rows.at({"S4", "ema", m});
    EXPECT_EQ(rate.n, 4);
    EXPECT_EQ(rate.feature_space, "shapes-detector");
    EXPECT_LE(rows.at({"S4", "ema", m + "/low"}).value, rate.value);
    EXPECT_GE(rows.at({"S4", "ema", m + "/high"}).value, rate.value);
  }
  ASSERT_TRUE(rows.count({"S4", "ema", "prompt_score"}));
  EXPECT_EQ(rows.at({"S4", "ema", "prompt_score"}).n, 24);
  // The rest of the protocol runs on shapes as on Fashion-MNIST.
  for (const std::string m : {"clip_fid", "clip_score", "classifier_fd", "class_accuracy"})
    EXPECT_TRUE(rows.count({"S4", "ema", m})) << m;
  EXPECT_TRUE(rows.count({"val", "ema", "val/native"}));
}

}  // namespace
}  // namespace rflab::e2e
