#include "eval/classifier.h"

#include <gtest/gtest.h>

#include "eval/model_cache.h"
#include "eval_test_util.h"
#include "results/error.h"

namespace rflab::eval {
namespace {

using testing::small_data;
using testing::tiny_classifier;

TEST(Classifier, HeldOutAccuracyWellAboveChance) {
  const auto& t = tiny_classifier();
  std::cout << "tiny classifier: held-out accuracy " << t.report.heldout_accuracy << " on " << t.report.heldout_n
            << " images, " << t.report.train_seconds << " s\n";
  EXPECT_EQ(t.report.heldout_n, 2000);
  EXPECT_GT(t.report.heldout_accuracy, 0.75);  // chance is 0.10; measured 0.87
}

TEST(Classifier, ClassAccuracyCountsThePromptedClass) {
  auto& t = tiny_classifier();
  const auto& h = small_data().heldout;
  const auto right = class_accuracy(t.model, h.images, h.labels);
  EXPECT_DOUBLE_EQ(right.accuracy, t.report.heldout_accuracy);
  // Prompted as the next class, the same images are mostly judged off-prompt.
  const auto wrong = class_accuracy(t.model, h.images, (h.labels + 1).remainder(10));
  EXPECT_LT(wrong.accuracy, 0.2);
  EXPECT_EQ(wrong.n, h.images.size(0));
}

TEST(Classifier, FeaturesArePenultimateAndNonNegative) {
  auto& t = tiny_classifier();
  auto f = classifier_features(t.model, small_data().heldout.images.narrow(0, 0, 37), 16);
  EXPECT_EQ(f.sizes(), (std::vector<int64_t>{37, t.model->config.feature_dim}));
  EXPECT_GE(f.min().item<float>(), 0.0f);
  torch::NoGradGuard g;
  auto logits = t.model->head->forward(f);
  EXPECT_TRUE(torch::allclose(logits, t.model->forward(small_data().heldout.images.narrow(0, 0, 37)), 1e-4, 1e-5));
}

TEST(ClassifierCache, HitReturnsIdenticalWeightsAndReport) {
  const auto dir = testing::fresh_dir("classifier_cache");
  auto c = testing::tiny_classifier_config();
  c.steps = 5;
  const auto data = small_data().subset(500, 100);
  auto first = load_or_train_classifier(c, data, dir);
  auto second = load_or_train_classifier(c, data, dir);
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  testing::expect_same_weights(*first.model, *second.model);
  EXPECT_EQ(second.report.heldout_accuracy, first.report.heldout_accuracy);
  const auto listed = list_networks(dir, "classifier");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].report.at("heldout_accuracy").get<double>(), first.report.heldout_accuracy);
}

// Trained in parts of the batch, one core each: the same weights on one thread or two.
TEST(Classifier, TrainedWeightsDoNotDependOnTheThreadCount) {
  auto c = testing::tiny_classifier_config();
  c.steps = 4;
  const auto data = small_data().subset(500, 100);
  const auto [one, two] = testing::trained_on_one_and_two_threads([&] { return train_classifier(c, data); });
  testing::expect_same_weights(*one.model, *two.model);
  EXPECT_EQ(one.report.final_loss, two.report.final_loss);
}

TEST(ClassifierConfig, RejectsAClassCountOtherThanTheDatasets) {
  auto c = testing::tiny_classifier_config();
  c.classes = 7;
  c.steps = 1;
  EXPECT_THROW(train_classifier(c, small_data().subset(100, 10)), UserError);
}

}  // namespace
}  // namespace rflab::eval
