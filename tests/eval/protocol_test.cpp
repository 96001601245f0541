// The evaluation protocol without a generative model: the caption list, evaluator-size conversion, the per-space figures of a given image set, the noise
// floor, the sample grid and the one-transaction write.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "eval/clip_score.h"
#include "eval/evaluation_set.h"
#include "eval/protocol.h"
#include "eval_test_util.h"
#include "results/error.h"
#include "results/store.h"
#include "tests/util/user_error.h"

namespace rflab::eval {
namespace {

using testing::fresh_dir;
using testing::small_data;

const auto& error_of = rflab::testing::user_error_of;

TEST(EvaluationCaptions, CaptionIIsClassIModC) {
  const auto& d = small_data();
  const auto captions = evaluation_captions(d, 105);
  const auto labels = evaluation_labels(d, 105);
  ASSERT_EQ(captions.size(), 105u);
  for (int64_t i = 0; i < 105; ++i) {
    EXPECT_EQ(captions[i], d.class_prompts[i % 10]);
    EXPECT_EQ(labels[i].item<int64_t>(), i % 10);
  }
  // A multiple of the class count is balanced.
  EXPECT_TRUE(torch::bincount(evaluation_labels(d, 100)).eq(10).all().item<bool>());
}

TEST(EvaluationSet, EvaluatorSizeCropsOrWidensTheBorder) {
  const auto& d = small_data();
  const auto x32 = d.heldout.images.narrow(0, 0, 4);
  const auto x28 = to_evaluator_size(x32, 28);
  ASSERT_EQ(x28.size(-1), 28);
  EXPECT_TRUE(torch::equal(to_evaluator_size(x28, 32), x32));  // the 28x28 item sits on a black border
  const auto x36 = to_evaluator_size(x32, 36);
  EXPECT_TRUE(torch::equal(to_evaluator_size(x36, 32), x32));
  EXPECT_EQ(x36.narrow(-1, 0, 2).max().item<float>(), -1.0f);
}

TEST(SampleGrid, OneRowPerClass) {
  // Image i is constant i % 10 / 10 (in [-1,1] units: 2v - 1), so a cell shows its class.
  const int64_t n = 40, s = 4, classes = 10, per = 3;
  auto images = (evaluation_labels(small_data(), n).to(torch::kFloat) / 10.0 * 2 - 1).view({n, 1, 1, 1}).expand({n, 1, s, s});
  const auto grid = class_grid(images, classes, per);
  ASSERT_EQ(grid.size(1), classes * (s + 2) + 2);
  ASSERT_EQ(grid.size(2), per * (s + 2) + 2);
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t j = 0; j < per; ++j)
      EXPECT_NEAR(grid[0][2 + c * (s + 2)][2 + j * (s + 2)].item<float>(), c / 10.0, 1e-6) << c << "," << j;
}

// The references of the tests: 1000 held-out images and a pool of 2000 training images.
const EvalDataset& ref_data() {
  static const EvalDataset d = small_data().subset(2000, 1000);
  return d;
}
constexpr int64_t kPool = 2000;

// The tiny evaluators and their references, computed once for the tests below.
struct Fixture {
  Evaluators ev;
  std::string cache;
  std::vector<ReferenceFeatures> refs;
};
Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    x.ev.clip = testing::tiny_clip().model;
    x.ev.clip_hash = "clip-hash-for-tests";
    x.ev.classifier = testing::tiny_classifier().model;
    x.ev.classifier_hash = "classifier-hash-for-tests";
    x.cache = fresh_dir("protocol-cache");
    x.refs = load_or_compute_references(x.ev, ref_data(), x.cache, kPool);
    return x;
  }();
  return f;
}

TEST(ReferenceFeatures, CachedAndReusedWithEqualValues) {
  auto& f = fixture();
  ASSERT_EQ(f.refs.size(), 2u);
  EXPECT_EQ(f.refs[0].feature_space, kClipSpace);
  EXPECT_EQ(f.refs[1].feature_space, kClassifierSpace);
  for (const auto& r : f.refs) {
    EXPECT_EQ(r.heldout.rows(), ref_data().heldout.images.size(0));
    EXPECT_EQ(r.train_pool.rows(), kPool);
  }
  const auto again = load_or_compute_references(f.ev, ref_data(), f.cache, kPool);
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_TRUE(again[i].from_cache);
    EXPECT_EQ(again[i].heldout, f.refs[i].heldout);
    EXPECT_EQ(again[i].train_pool, f.refs[i].train_pool);
    EXPECT_TRUE(again[i].heldout_stats.mu.isApprox(f.refs[i].heldout_stats.mu));
  }
}

TEST(ReferenceFeatures, ReferenceAgainstItselfIsZeroAndNoiseFloorIsPositive) {
  const auto& ref = fixture().refs[0];
  EXPECT_NEAR(frechet_distance(ref.heldout, ref.heldout), 0.0, 1e-8 * ref.heldout_stats.sigma.trace());
  FeatureMetricsOptions o;
  o.kid_subsets = 10;
  const auto rows = noise_floor_rows(fixture().refs, 200, o);
  std::set<std::string> metrics;
  for (const auto& r : rows) {
    metrics.insert(r.metric);
    EXPECT_EQ(r.n, 200);
    if (r.metric == "clip_fid" || r.metric == "classifier_fd") EXPECT_GT(r.value, 0.0) << r.metric;
    EXPECT_EQ(r.evaluator_hash, r.feature_space == kClipSpace ? "clip-hash-for-tests" : "classifier-hash-for-tests");
  }
  EXPECT_EQ(metrics, (std::set<std::string>{"clip_fid", "clip_kid", "clip_kid_se", "classifier_fd", "precision",
                                            "recall", "density", "coverage"}));
}

TEST(ReferenceFeatures, CorruptFileIsAnErrorNamingIt) {
  auto& f = fixture();
  const std::string dir = fresh_dir("protocol-corrupt");
  std::filesystem::copy(f.cache, dir, std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  const auto paths = reference_paths(f.ev.feature_spaces()[1], ref_data(), dir, kPool);
  std::ofstream(paths.train_path, std::ios::binary | std::ios::trunc) << "not an npy file";
  const auto msg = error_of([&] { load_or_compute_references(f.ev, ref_data(), dir, kPool); });
  EXPECT_NE(msg.find(paths.train_path), std::string::npos) << msg;
}

TEST(SampleMetrics, RowsOfRealImagesCarryTheirSpaceAndHash) {
  auto& f = fixture();
  const auto& d = small_data();
  const int64_t n = 100;
  const auto images = d.train.images.narrow(0, 0, n);
  const auto labels = d.train.labels.narrow(0, 0, n);
  std::vector<std::string> captions;
  for (int64_t i = 0; i < n; ++i) captions.push_back(d.class_prompts[labels[i].item<int64_t>()]);
  FeatureMetricsOptions o;
  o.kid_subsets = 10;
  const auto rows = sample_metric_rows(images, captions, labels, f.ev, f.refs, o);
  std::map<std::string, results::EvaluationRow> by;
  for (const auto& r : rows) by[r.metric] = r;
  ASSERT_EQ(by.size(), rows.size()) << "a metric appears twice";
  for (const char* m : {"clip_fid", "clip_kid", "clip_kid_se", "clip_score", "clip_score_100"}) {
    ASSERT_TRUE(by.count(m)) << m;
    EXPECT_EQ(by[m].feature_space, kClipSpace);
    EXPECT_EQ(by[m].evaluator_hash, "clip-hash-for-tests");
  }
  for (const char* m : {"classifier_fd", "precision", "recall", "density", "coverage", "class_accuracy"}) {
    ASSERT_TRUE(by.count(m)) << m;
    EXPECT_EQ(by[m].feature_space, kClassifierSpace);
    EXPECT_EQ(by[m].evaluator_hash, "classifier-hash-for-tests");
  }
  for (const auto& r : rows) EXPECT_EQ(r.n, n);
  EXPECT_DOUBLE_EQ(by["class_accuracy"].value, class_accuracy(testing::tiny_classifier().model, images, labels).accuracy);
  const auto score = clip_score(testing::tiny_clip().model, images, captions);
  EXPECT_NEAR(by["clip_score"].value, score.cosine, 1e-12);
  EXPECT_NEAR(by["clip_score_100"].value, score.torchmetrics, 1e-9);
  EXPECT_LE(by["clip_score"].value, 1.0);
  // Real training images lie on the held-out manifold.
  EXPECT_GT(by["precision"].value, 0.5);
}

results::EvaluationRow eval_row(int64_t run, const std::string& metric, double value, const std::string& weights = "ema") {
  results::EvaluationRow r{};
  r.run_id = run;
  r.checkpoint_step = 30;
  r.weights = weights;
  r.setting = "S4";
  r.steps = 5;
  r.cfg = 5.0;
  r.metric = metric;
  r.value = value;
  r.n = 20;
  r.feature_space = kClipSpace;
  r.evaluator_hash = "h";
  return r;
}

TEST(RecordEvaluation, AFailingRowLeavesNothingWritten) {
  results::Store store(fresh_dir("protocol-store-fail") + "/db.sqlite");
  const int64_t run = store.register_run({"{}", "run-a", 0, {}, std::nullopt});
  std::vector<results::EvaluationRow> rows = {eval_row(run, "clip_fid", 1.0), eval_row(run, "clip_score", 0.3),
                                              eval_row(run, "clip_kid", 0.1, "neither")};  // violates weights IN (ema, raw)
  EXPECT_ANY_THROW(record_evaluation(store, rows, {{run, "x.png", "00", "eval_grid"}}));
  EXPECT_TRUE(store.evaluations(run).empty());
  EXPECT_TRUE(store.artifacts(run).empty());
}

TEST(RecordEvaluation, RecordingAgainReplaces) {
  results::Store store(fresh_dir("protocol-store-again") + "/db.sqlite");
  const int64_t run = store.register_run({"{}", "run-b", 0, {}, std::nullopt});
  record_evaluation(store, {eval_row(run, "clip_fid", 1.0), eval_row(run, "clip_score", 0.3)});
  record_evaluation(store, {eval_row(run, "clip_fid", 2.0), eval_row(run, "clip_score", 0.4)});
  const auto rows = store.evaluations(run);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) EXPECT_EQ(r.value, r.metric == "clip_fid" ? 2.0 : 0.4);
}

}  // namespace
}  // namespace rflab::eval
