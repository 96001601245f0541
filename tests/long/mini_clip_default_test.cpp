// The default evaluators on the full Fashion-MNIST (minutes on 2 cores, label `long`): both
// mini-CLIP instances and the classifier trained from scratch, held-out figures on all 10000
// t10k images against the floors stated in eval/.
#include <gtest/gtest.h>

#include <iostream>

#include "core/data/fashion_mnist.h"
#include "eval/classifier.h"
#include "eval/mini_clip.h"

namespace rflab::eval {
namespace {

// Stated floors of the default configs (chance is 0.10).
constexpr double kDefaultZeroShotFloor = 0.80;
constexpr double kDefaultClassifierFloor = 0.87;

const EvalDataset& data() {
  static const EvalDataset d = EvalDataset::fashion_mnist(core::FashionMnist::load(core::FashionMnist::kDefaultRoot, 32));
  return d;
}

void check_clip(const MiniClipConfig& c) {
  const auto t = train_mini_clip(c, data());
  std::cout << "mini-CLIP " << c.role << ": held-out zero-shot accuracy " << t.report.heldout_zero_shot_accuracy
            << " (N = " << t.report.heldout_n << "), final loss " << t.report.final_loss << ", "
            << t.report.train_seconds << " s\n";
  EXPECT_EQ(t.report.heldout_n, 10000);
  EXPECT_GT(t.report.heldout_zero_shot_accuracy, kDefaultZeroShotFloor);
}

TEST(DefaultMiniClip, ConditionerZeroShotAccuracyAboveFloor) { check_clip(MiniClipConfig::conditioner()); }

TEST(DefaultMiniClip, EvaluatorZeroShotAccuracyAboveFloor) { check_clip(MiniClipConfig::evaluator()); }

TEST(DefaultClassifier, HeldOutAccuracyAboveFloor) {
  const auto t = train_classifier(ClassifierConfig{}, data());
  std::cout << "classifier: held-out accuracy " << t.report.heldout_accuracy << " (N = " << t.report.heldout_n
            << "), " << t.report.train_seconds << " s\n";
  EXPECT_GT(t.report.heldout_accuracy, kDefaultClassifierFloor);
}

}  // namespace
}  // namespace rflab::eval
