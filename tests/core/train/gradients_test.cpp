// Released gradients (undefined between steps) train exactly as zeroed ones: the same weights,
// bit for bit, after several AdamW steps with clipping.
#include "core/train/gradients.h"

#include <gtest/gtest.h>

#include "core/model/mmdit.h"
#include "tests/core/train/tiny_model.h"

using namespace rflab::core;

namespace {

std::vector<torch::Tensor> train_tiny(bool release) {
  torch::manual_seed(0);
  MMDiT m(::tiny_mmdit_config());
  const TinyBatch batch = tiny_batch();
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(3e-3).weight_decay(0.01));
  for (int i = 0; i < 5; ++i) {
    if (release) release_gradients(opt);
    else opt.zero_grad();
    batch.loss(m).backward();
    torch::nn::utils::clip_grad_norm_(m->parameters(), 0.5);
    opt.step();
  }
  std::vector<torch::Tensor> out;
  for (const auto& p : m->parameters()) out.push_back(p.detach().clone());
  return out;
}

TEST(Gradients, ReleasedTrainBitForBitAsZeroed) {
  const auto zeroed = train_tiny(false), released = train_tiny(true);
  ASSERT_EQ(zeroed.size(), released.size());
  for (size_t i = 0; i < zeroed.size(); ++i) EXPECT_TRUE(torch::equal(zeroed[i], released[i])) << "parameter " << i;
}

TEST(Gradients, ReleaseLeavesEveryGradientUndefined) {
  MMDiT m(::tiny_mmdit_config());
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-3));
  for (auto& p : m->parameters()) p.mutable_grad() = torch::ones_like(p);
  release_gradients(opt);
  for (const auto& p : m->parameters()) EXPECT_FALSE(p.grad().defined());
}

}  // namespace
