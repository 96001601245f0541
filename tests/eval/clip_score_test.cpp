#include "eval/clip_score.h"

#include <gtest/gtest.h>

#include "eval_test_util.h"

namespace rflab::eval {
namespace {

TEST(ClipScore, ClosedFormOnHandEmbeddings) {
  // Row pairs with cosines 1, 0 and -1 (lengths differ: the score ignores them).
  auto img = torch::tensor({{1.0, 0.0}, {0.0, 2.0}, {3.0, 0.0}});
  auto txt = torch::tensor({{5.0, 0.0}, {1.0, 0.0}, {-1.0, 0.0}});
  const auto s = clip_score_of_embeddings(img, txt);
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.cosine, 0.0, 1e-12);                  // (1 + 0 - 1) / 3
  EXPECT_NEAR(s.torchmetrics, 100.0 / 3.0, 1e-9);     // (100 + 0 + 0) / 3
}

TEST(ClipScore, RejectsMismatchedCounts) {
  auto& m = testing::tiny_clip().model;
  EXPECT_THROW(clip_score(m, torch::zeros({2, 1, 32, 32}), {"a photo of a bag"}), std::invalid_argument);
}

TEST(ClipScore, MatchedPairsScoreAboveMismatchedPairs) {
  auto& m = testing::tiny_clip().model;
  const auto& d = testing::small_data();
  const int64_t n = 500;
  auto images = d.heldout.images.narrow(0, 0, n);
  std::vector<std::string> matched, mismatched;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = d.heldout.labels[i].item<int64_t>();
    matched.push_back(d.class_prompts[label]);
    mismatched.push_back(d.class_prompts[(label + 1 + i % 9) % 10]);  // any other class
  }
  const auto good = clip_score(m, images, matched, 128);
  const auto bad = clip_score(m, images, mismatched, 128);
  EXPECT_EQ(good.n, n);
  EXPECT_GT(good.cosine, bad.cosine + 0.1);
  EXPECT_GT(good.torchmetrics, bad.torchmetrics);
  EXPECT_LT(good.cosine, 1.0);
}

}  // namespace
}  // namespace rflab::eval
