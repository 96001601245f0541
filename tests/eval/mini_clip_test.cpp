#include "eval/mini_clip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "eval/model_cache.h"
#include "eval_test_util.h"
#include "results/error.h"

namespace rflab::eval {
namespace {

using testing::fresh_dir;
using testing::small_data;
using testing::tiny_clip;
using testing::tiny_clip_config;

// The floor of the reduced unit-test config (150 steps on 12000 images; chance is 0.10,
// measured 0.81).
constexpr double kTinyZeroShotFloor = 0.65;

TEST(MiniClip, ReducedConfigZeroShotAccuracyAboveFloor) {
  const auto& t = tiny_clip();
  std::cout << "tiny mini-CLIP: held-out zero-shot accuracy " << t.report.heldout_zero_shot_accuracy << " on "
            << t.report.heldout_n << " images, final loss " << t.report.final_loss << ", "
            << t.report.train_seconds << " s\n";
  EXPECT_EQ(t.report.heldout_n, 2000);
  EXPECT_GT(t.report.heldout_zero_shot_accuracy, kTinyZeroShotFloor);
}

TEST(MiniClip, ZeroShotAccuracyRecomputesTheReport) {
  auto& t = tiny_clip();
  const auto& d = small_data();
  EXPECT_DOUBLE_EQ(zero_shot_accuracy(t.model, d.heldout.images, d.heldout.labels, d.class_prompts, 333),
                   t.report.heldout_zero_shot_accuracy);
}

TEST(MiniClip, EncodeTextEqualsAStandaloneTextTowerWithTheSameWeights) {
  auto& m = tiny_clip().model;
  core::ClipTextTower tower(m->config.text_tower(m->tokenizer.vocabulary_size()));
  std::map<std::string, torch::Tensor> text;
  for (const auto& [name, t] : module_tensors(*m))
    if (name.rfind("text.", 0) == 0) text[name.substr(5)] = t;
  load_module_tensors(*tower, text, "mini-CLIP text tower");
  tower->eval();
  const std::vector<std::string> prompts = {"a photo of a bag", "a photo of a running shoe", "a photo of a tee"};
  torch::NoGradGuard g;
  const auto a = m->encode_text(prompts);
  const auto b = tower->forward(m->tokenizer.encode(prompts));
  EXPECT_TRUE(torch::equal(a.context, b.context));
  EXPECT_TRUE(torch::equal(a.pooled, b.pooled));
}

TEST(MiniClip, EncodeTextGivesTokenStatesAndPooledEmbedding) {
  auto& m = tiny_clip().model;
  const auto c = tiny_clip_config();
  auto cond = m->encode_text({"a photo of a bag", "a photo of a running shoe", "a photo of a tee"});
  EXPECT_EQ(cond.context.sizes(), (std::vector<int64_t>{3, c.max_tokens, c.text_width}));
  EXPECT_EQ(cond.pooled.sizes(), (std::vector<int64_t>{3, c.embed_dim}));
  EXPECT_TRUE(torch::allclose(cond.pooled, m->text_embedding({"a photo of a bag", "a photo of a running shoe",
                                                               "a photo of a tee"})));
}

TEST(MiniClip, FreezeStopsGradients) {
  MiniClip m(tiny_clip_config(), small_data().tokenizer(8));
  m->freeze();
  for (const auto& p : m->parameters()) EXPECT_FALSE(p.requires_grad());
  EXPECT_FALSE(m->is_training());
}

// Trained in parts of the batch, one core each (the temperature's gradient taken from the loss):
// the same weights on one thread or two, and the temperature trained.
TEST(MiniClip, TrainedWeightsDoNotDependOnTheThreadCount) {
  auto c = tiny_clip_config();
  c.steps = 4;
  const auto data = small_data().subset(500, 100);
  const auto [one, two] = testing::trained_on_one_and_two_threads([&] { return train_mini_clip(c, data); });
  testing::expect_same_weights(*one.model, *two.model);
  EXPECT_NE(two.model->logit_scale.item<double>(), std::log(1.0 / c.init_temperature));
}

TEST(ClipLoss, IsLogBatchForUniformLogitsAndNearZeroForAConfidentDiagonal) {
  EXPECT_NEAR(clip_loss(torch::zeros({7, 7})).item<double>(), std::log(7.0), 1e-6);
  EXPECT_LT(clip_loss(30.0 * torch::eye(5)).item<double>(), 1e-10);
}

TEST(ClipLoss, IsSymmetricInImagesAndTexts) {
  auto l = torch::randn({6, 6}, torch::kFloat64);
  EXPECT_NEAR(clip_loss(l).item<double>(), clip_loss(l.t()).item<double>(), 1e-12);
}

TEST(MiniClipConfig, JsonRoundTripAndUnknownFieldRejected) {
  const auto c = MiniClipConfig::evaluator();
  EXPECT_EQ(MiniClipConfig::from_json(c.to_json(), "x").to_json(), c.to_json());
  auto j = c.to_json();
  j["depth"] = 3;
  EXPECT_THROW(MiniClipConfig::from_json(j, "x"), UserError);
  j = c.to_json();
  j["text_heads"] = 5;  // 64 is not divisible by 5
  EXPECT_THROW(MiniClipConfig::from_json(j, "x"), UserError);
}

TEST(MiniClipConfig, ConditionerAndEvaluatorDifferInSeedAndArchitecture) {
  const auto a = MiniClipConfig::conditioner(), b = MiniClipConfig::evaluator();
  EXPECT_NE(a.seed, b.seed);
  EXPECT_NE(a.image_convs_per_stage, b.image_convs_per_stage);
  EXPECT_NE(mini_clip_cache_key(a, small_data()), mini_clip_cache_key(b, small_data()));
}

TEST(MiniClipCache, KeyDependsOnTheTensorLayoutFormat) {
  auto c = tiny_clip_config();
  auto old = c;
  old.format = 1;
  EXPECT_NE(mini_clip_cache_key(c, small_data()), mini_clip_cache_key(old, small_data()));
  auto j = c.to_json();
  j.erase("format");
  EXPECT_EQ(MiniClipConfig::from_json(j, "x").format, 1);  // files written before the field existed
}

TEST(MiniClipCache, KeyDependsOnTheData) {
  const auto c = tiny_clip_config();
  EXPECT_NE(mini_clip_cache_key(c, small_data()), mini_clip_cache_key(c, small_data().subset(1000, 100)));
}

// A smaller training than tiny_clip, for the cache tests that train their own.
MiniClipConfig cache_test_config() {
  auto c = tiny_clip_config();
  c.steps = 5;
  c.batch_size = 16;
  return c;
}

TEST(MiniClipCache, FileOfAnOlderTensorLayoutIsRefusedNamingIt) {
  const auto dir = fresh_dir("clip_cache_format");
  const auto data = small_data().subset(500, 100);
  auto trained = load_or_train_mini_clip(cache_test_config(), data, dir);
  auto net = read_network(trained.path, "clip");
  net.config.erase("format");
  net.path = dir + "/old.safetensors";
  write_network(net);
  try {
    load_mini_clip(net.path);
    FAIL() << "a file of layout 1 was loaded";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(net.path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("format"), std::string::npos) << e.what();
  }
}

TEST(MiniClipCache, HitReturnsIdenticalWeights) {
  const auto dir = fresh_dir("clip_cache_hit");
  const auto data = small_data().subset(500, 100);
  auto first = load_or_train_mini_clip(cache_test_config(), data, dir);
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.path, cache_path(dir, "clip", mini_clip_cache_key(cache_test_config(), data)));
  auto second = load_or_train_mini_clip(cache_test_config(), data, dir);
  EXPECT_TRUE(second.from_cache);
  testing::expect_same_weights(*first.model, *second.model);
  EXPECT_EQ(second.report.heldout_zero_shot_accuracy, first.report.heldout_zero_shot_accuracy);
  EXPECT_EQ(second.model->tokenizer.vocabulary(), first.model->tokenizer.vocabulary());
}

// Flips one byte near the end of the file: inside the tensor data, past the JSON header.
void flip_last_data_byte(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-3, std::ios::end);
  char c;
  f.get(c);
  f.seekp(-3, std::ios::end);
  f.put(static_cast<char>(c ^ 0x5A));
}

TEST(MiniClipCache, CorruptWeightsAreRejectedWithTheChecksumError) {
  const auto dir = fresh_dir("clip_cache_corrupt");
  const auto data = small_data().subset(500, 100);
  const auto path = load_or_train_mini_clip(cache_test_config(), data, dir).path;
  flip_last_data_byte(path);
  try {
    load_or_train_mini_clip(cache_test_config(), data, dir);
    FAIL() << "a corrupt cache file was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("delete the file"), std::string::npos) << e.what();
  }
}

TEST(MiniClipCache, TruncatedFileIsRejectedNamingIt) {
  const auto dir = fresh_dir("clip_cache_truncated");
  const auto data = small_data().subset(500, 100);
  const auto path = load_or_train_mini_clip(cache_test_config(), data, dir).path;
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  try {
    load_or_train_mini_clip(cache_test_config(), data, dir);
    FAIL() << "a truncated cache file was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(MiniClipCache, ClassifierFileIsNotAMiniClip) {
  const auto dir = fresh_dir("clip_cache_kind");
  auto c = testing::tiny_classifier_config();
  c.steps = 2;
  const auto data = small_data().subset(200, 50);
  const auto path = load_or_train_classifier(c, data, dir).path;
  EXPECT_THROW(load_mini_clip(path), UserError);
}

}  // namespace
}  // namespace rflab::eval
