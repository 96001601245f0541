// Shared fixtures of the eval tests: Fashion-MNIST loaded once, small subsets, a per-process
// temp directory, and tiny trained evaluators shared by every test that only uses them.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>

#include "eval/classifier.h"
#include "eval/eval_dataset.h"
#include "eval/mini_clip.h"
#include "eval/model_cache.h"

#include "tests/util/temp_dir.h"
#include "tests/util/threads.h"

namespace rflab::eval::testing {

// This process's folder for the evaluator tests, removed when the process exits.
inline std::filesystem::path eval_temp_dir() {
  static const rflab::testing::TempDir dir("eval");
  return dir.path();
}

// A fresh directory under this process's temp directory.
inline std::string fresh_dir(const std::string& name) {
  auto p = eval_temp_dir() / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// Two networks with the same tensors, name for name and bit for bit.
inline void expect_same_weights(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto ta = module_tensors(a), tb = module_tensors(b);
  ASSERT_EQ(ta.size(), tb.size());
  for (const auto& [name, t] : ta) {
    ASSERT_EQ(tb.count(name), 1u) << name;
    EXPECT_TRUE(torch::equal(t, tb.at(name))) << name;
  }
}

// train() on one thread, then on two (both pools; the count is left at two): {one, two}.
template <class Train>
auto trained_on_one_and_two_threads(const Train& train) {
  rflab::testing::use_threads(1);
  auto one = train();
  rflab::testing::use_threads(2);
  auto two = train();
  return std::make_pair(std::move(one), std::move(two));
}

inline const EvalDataset& full_data() {
  static const EvalDataset d = EvalDataset::fashion_mnist(core::FashionMnist::load(core::FashionMnist::kDefaultRoot, 32));
  return d;
}

// 12000 training and 2000 held-out images: enough for the tiny evaluators below.
inline const EvalDataset& small_data() {
  static const EvalDataset d = full_data().subset(12000, 2000);
  return d;
}

// The unit tests' reduced mini-CLIP: narrow towers and few steps, trained in seconds.
inline MiniClipConfig tiny_clip_config() {
  MiniClipConfig c;
  c.role = "test";
  c.image_channels = {16, 32, 64};
  c.text_width = 32;
  c.text_heads = 2;
  c.embed_dim = 32;
  c.steps = 150;
  c.batch_size = 128;
  return c;
}

inline TrainedMiniClip& tiny_clip() {
  static TrainedMiniClip t = train_mini_clip(tiny_clip_config(), small_data());
  return t;
}

inline ClassifierConfig tiny_classifier_config() {
  ClassifierConfig c;
  c.channels = {16, 32, 64};
  c.feature_dim = 64;
  c.steps = 150;
  c.batch_size = 128;
  return c;
}

inline TrainedClassifier& tiny_classifier() {
  static TrainedClassifier t = train_classifier(tiny_classifier_config(), small_data());
  return t;
}

}  // namespace rflab::eval::testing
