// Every formulation family trains: on one fixed batch with fixed levels and noise, a tiny
// MM-DiT driven by the family's own input scaling, embedder input, target and loss reduces
// that loss; and the validation loss of SPEC §5.1 is finite for every family.
#include <gtest/gtest.h>

#include "core/formulation/formulation.h"
#include "core/model/mmdit.h"
#include "core/train/seeds.h"
#include "tests/core/train/tiny_model.h"

using namespace rflab::core;

class FamilyTraining : public ::testing::TestWithParam<const char*> {};

TEST_P(FamilyTraining, LossFallsOnAFixedBatch) {
  torch::manual_seed(1);
  auto f = Formulation::parse(GetParam());
  MMDiT m(tiny_mmdit_config());
  auto x0 = torch::rand({8, 1, 16, 16}) * 2 - 1;
  auto eps = torch::randn({8, 1, 16, 16});
  auto levels = f.sample_levels(8, make_cpu_generator(7, Stream::levels, 0));
  auto z = f.noised(x0, eps, levels);
  auto pooled = torch::randn({8, 16});
  auto ctx = torch::randn({8, 3, 16});
  torch::optim::Adam opt(m->parameters(), 3e-3);
  double first = 0, last = 0;
  for (int i = 0; i < 60; ++i) {
    opt.zero_grad();
    auto out = m->forward(f.net_input(z, levels), levels.c_t, pooled, ctx);
    auto loss = f.loss(out, x0, eps, levels).mean();
    ASSERT_TRUE(std::isfinite(loss.item<double>())) << "step " << i;
    loss.backward();
    opt.step();
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first) << GetParam() << ": first " << first << " last " << last;
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, FamilyTraining,
                         ::testing::Values("eps/linear", "v/linear", "eps/cos", "v/cos", "rf", "rf/mode(1.29)",
                                           "rf/lognorm(0.00, 1.00)", "rf/cosmap", "edm(-1.20, 1.20)", "edm/rf",
                                           "edm/cos", "eps/linear+minsnr(5.00)", "v/linear+ztsnr"));
