// A training step's forward and backward in parts (core/train/backward_in_parts.h) against one
// whole-batch backward(): the same loss, the same gradients up to summation order, none for a
// parameter the network does not reach, and gradients that do not depend on the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/backbone.h"
#include "core/train/backward_in_parts.h"
#include "tests/util/threads.h"

using namespace rflab::core;
using rflab::testing::use_threads;

namespace {

struct Step {
  torch::Tensor loss;
  std::vector<torch::Tensor> grads;
};

struct Problem {
  Problem() {
    BackboneConfig c;
    c.depth = 1;
    c.hidden = 32;
    c.heads = 2;
    c.patch_size = 4;
    c.in_channels = c.out_channels = 1;
    c.context_dim = 16;
    c.pooled_dim = 16;
    c.pos_embed_max_size = 4;
    torch::manual_seed(3);
    model = make_backbone(c);
    // Zero-initialised output layers would make most gradients zero: perturb every weight.
    torch::NoGradGuard g;
    for (auto& p : model->parameters()) p.add_(0.05 * torch::randn_like(p));
    const int64_t B = 70;  // three parts: 24, 23, 23
    z = torch::randn({B, 1, 16, 16});
    t = 1000 * torch::rand({B});
    cond = {torch::randn({B, 16}), torch::randn({B, 5, 16})};
    target = torch::randn({B, 1, 16, 16});
  }
  Network net() {
    return [m = model](const torch::Tensor& zi, const torch::Tensor& ti, const Conditioning& ci) mutable {
      return m->forward(zi, ti, ci.pooled, ci.context);
    };
  }
  // Per-sample squared error, then the batch mean: the shape of every formulation's loss.
  torch::Tensor loss_of(const torch::Tensor& out) const {
    return (out - target).pow(2).flatten(1).mean(1).mean();
  }
  Step whole() {
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    auto loss = loss_of(net()(z, t, cond));
    loss.backward();
    return {loss.detach(), grads()};
  }
  Step in_parts() {
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    auto loss = backward_in_parts(net(), model->parameters(), z, t, cond,
                                  [this](const torch::Tensor& out) { return loss_of(out); });
    return {loss, grads()};
  }
  std::vector<torch::Tensor> grads() {
    std::vector<torch::Tensor> g;
    for (auto& p : model->parameters()) g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
    return g;
  }
  Backbone model{nullptr};
  torch::Tensor z, t, target;
  Conditioning cond;
};

}  // namespace

TEST(BackwardInParts, SameLossAndTheGradientsOfOneBackward) {
  use_threads(2);
  Problem pb;
  const auto whole = pb.whole();
  const auto parts = pb.in_parts();
  EXPECT_NEAR(parts.loss.item<double>(), whole.loss.item<double>(), 1e-6 * whole.loss.item<double>());
  ASSERT_EQ(parts.grads.size(), whole.grads.size());
  int compared = 0;
  for (size_t i = 0; i < whole.grads.size(); ++i) {
    ASSERT_EQ(parts.grads[i].defined(), whole.grads[i].defined()) << i;
    if (!whole.grads[i].defined()) continue;
    const double scale = whole.grads[i].abs().max().item<double>() + 1e-12;
    EXPECT_LT((parts.grads[i] - whole.grads[i]).abs().max().item<double>() / scale, 1e-4) << "parameter " << i;
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

TEST(BackwardInParts, GradientsDoNotDependOnTheThreadCount) {
  Problem pb;
  use_threads(2);
  const auto two = pb.in_parts();
  use_threads(1);
  const auto one = pb.in_parts();
  use_threads(2);
  EXPECT_TRUE(torch::equal(one.loss, two.loss));
  for (size_t i = 0; i < two.grads.size(); ++i)
    if (two.grads[i].defined()) EXPECT_TRUE(torch::equal(one.grads[i], two.grads[i])) << "parameter " << i;
}

TEST(BackwardInParts, AParameterTheNetworkDoesNotReachKeepsNoGradient) {
  use_threads(2);
  Problem pb;
  auto unused = torch::zeros({3}, torch::requires_grad());
  auto params = pb.model->parameters();
  params.push_back(unused);
  for (auto& p : params) p.mutable_grad() = torch::Tensor();
  backward_in_parts(pb.net(), params, pb.z, pb.t, pb.cond, [&pb](const torch::Tensor& out) { return pb.loss_of(out); });
  EXPECT_FALSE(unused.grad().defined());
  EXPECT_TRUE(params.front().grad().defined());
}

// A loss that uses a parameter of its own (as the CLIP loss its temperature) besides the parts'
// outputs: that parameter's gradient is the loss's, the others' the parts', and both equal one
// whole-batch backward's.
TEST(BackwardInParts, AParameterOfTheLossGetsItsGradientToo) {
  use_threads(2);
  torch::manual_seed(5);
  auto w = torch::randn({6, 4}, torch::requires_grad());
  auto scale = torch::tensor(0.7, torch::requires_grad());
  const auto x = torch::randn({50, 4});
  const auto target = torch::randn({50, 6});
  const std::vector<torch::Tensor> params{w, scale};
  auto loss_of = [&](const torch::Tensor& out) { return (scale.exp() * out - target).pow(2).mean(); };
  loss_of(x.matmul(w.t())).backward();
  const auto dw = w.grad().clone(), dscale = scale.grad().clone();
  for (auto p : params) p.mutable_grad() = torch::Tensor();
  const auto loss = backward_in_parts(x.size(0), params, [&](int64_t from, int64_t n) {
    return x.narrow(0, from, n).matmul(w.t());
  }, loss_of);
  ASSERT_TRUE(scale.grad().defined());
  EXPECT_NEAR(scale.grad().item<double>(), dscale.item<double>(), 1e-5 * std::abs(dscale.item<double>()));
  EXPECT_TRUE(torch::allclose(w.grad(), dw, 1e-5, 1e-6));
  EXPECT_NEAR(loss.item<double>(), loss_of(x.matmul(w.t())).item<double>(), 1e-6);
}
