// The evaluator towers' 3x3 convolution, direct and as one product (eval/conv3x3.h), and the tower's
// channels-last forward (eval/conv_tower.h) against ATen's Conv2d: values and the gradients of
// the input, the weight and the bias; and the forward and backward run on two threads at once, as
// training in parts runs them. (That the trained evaluators do not depend on the thread count is
// tested with their training, classifier_test and mini_clip_test.)
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "core/model/vectorised.h"
#include "eval/conv3x3.h"
#include "eval/conv_tower.h"
#include "tests/util/threads.h"

namespace rflab::eval {
namespace {

using rflab::testing::use_threads;

struct Grads {
  torch::Tensor y, dx, dw, db;
};

// y = conv(x), then the gradients of Σ y·r for a fixed random r.
template <class Conv>
Grads run(Conv conv, const torch::Tensor& x_nchw, const torch::Tensor& weight, const torch::Tensor& bias,
          const torch::Tensor& r) {
  auto x = x_nchw.detach().clone().requires_grad_();
  auto w = weight.detach().clone().requires_grad_();
  auto b = bias.detach().clone().requires_grad_();
  auto y = conv(x, w, b);  // [B, O, H, W]
  (y * r).sum().backward();
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

torch::Tensor channels_last(const torch::Tensor& x) { return x.permute({0, 2, 3, 1}); }
torch::Tensor channels_first(const torch::Tensor& x) { return x.permute({0, 3, 1, 2}); }

Grads kernel(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, const torch::Tensor& r) {
  return run([](auto x, auto w, auto b) { return channels_first(conv3x3_channels_last(channels_last(x), w, b)); },
             x, w, b, r);
}
Grads composite(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, const torch::Tensor& r) {
  return run([](auto x, auto w, auto b) { return channels_first(conv3x3_composite(channels_last(x), w, b)); }, x, w,
             b, r);
}
Grads aten(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, const torch::Tensor& r) {
  return run([](auto x, auto w, auto b) { return torch::conv2d(x, w, b, 1, 1); }, x, w, b, r);
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, const char* what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const double scale = want.abs().max().item<double>();
  EXPECT_GT(scale, 0.0) << what;
  EXPECT_LT((got - want).abs().max().item<double>(), 1e-5 * scale) << what;
}

void expect_same(const Grads& got, const Grads& want) {
  expect_close(got.y, want.y, "values");
  expect_close(got.dx, want.dx, "input gradient");
  expect_close(got.dw, want.dw, "weight gradient");
  expect_close(got.db, want.db, "bias gradient");
}

struct Case {
  int64_t B, C, O, H, W;
  bool direct;  // whether the direct convolution applies (else the columns' product)
};

// The check in the baseline build of the direct convolution's loops, then in the AVX2 + FMA build.
template <class Check>
void in_both_vector_builds(Check check) {
  for (bool avx2 : {false, true}) {
    SCOPED_TRACE(avx2 ? "AVX2 + FMA build" : "baseline build");
    core::set_avx2_fma(avx2);
    check();
  }
  core::set_avx2_fma(true);
}

class Conv3x3Shapes : public ::testing::TestWithParam<Case> {};

TEST_P(Conv3x3Shapes, KernelAndCompositeEqualAtensConv2d) {
  use_threads(2);
  const auto c = GetParam();
  torch::manual_seed(11);
  const auto x = torch::randn({c.B, c.C, c.H, c.W});
  const auto w = 0.3 * torch::randn({c.O, c.C, 3, 3});
  const auto b = torch::randn({c.O});
  const auto r = torch::randn({c.B, c.O, c.H, c.W});
  EXPECT_EQ(conv3x3_direct_applies(channels_last(x).requires_grad_(), w, b), c.direct);
  const auto want = aten(x, w, b, r);
  in_both_vector_builds([&] { expect_same(kernel(x, w, b, r), want); });
  expect_same(composite(x, w, b, r), want);
}

// One input channel (the images), the towers' later widths, a non-square map, a 1x1 map (every
// tap but the centre outside), and a batch of one; the direct convolution (16 output channels)
// with a row of 7 (a tile of four and three single pixels), a 1x1 map, and 64 input channels.
INSTANTIATE_TEST_SUITE_P(Shapes, Conv3x3Shapes,
                         ::testing::Values(Case{5, 1, 8, 12, 12, false}, Case{3, 16, 32, 8, 8, false},
                                           Case{2, 7, 5, 6, 9, false}, Case{4, 3, 2, 1, 1, false},
                                           Case{1, 4, 6, 5, 3, false}, Case{2, 32, 16, 5, 7, true},
                                           Case{3, 16, 16, 1, 1, true}, Case{2, 64, 16, 4, 4, true}));

// The images' layer: one input channel, which needs no gradient, so the direct convolution applies
// (its weight and bias gradients against ATen's).
TEST(Conv3x3, DirectOnTheImagesWithoutAnInputGradient) {
  use_threads(2);
  torch::manual_seed(12);
  const auto x = torch::randn({3, 1, 10, 12});
  const auto w0 = 0.3 * torch::randn({16, 1, 3, 3});
  const auto b0 = torch::randn({16});
  const auto r = torch::randn({3, 16, 10, 12});
  EXPECT_TRUE(conv3x3_direct_applies(channels_last(x), w0, b0));
  auto grads = [&](bool reference) {
    auto w = w0.clone().requires_grad_();
    auto b = b0.clone().requires_grad_();
    auto y = reference ? torch::conv2d(x, w, b, 1, 1) : channels_first(conv3x3_channels_last(channels_last(x), w, b));
    (y * r).sum().backward();
    return Grads{y.detach(), torch::Tensor(), w.grad(), b.grad()};
  };
  const auto want = grads(true);
  in_both_vector_builds([&] {
    const auto got = grads(false);
    expect_close(got.y, want.y, "values");
    expect_close(got.dw, want.dw, "weight gradient");
    expect_close(got.db, want.db, "bias gradient");
  });
}

// Two threads each running a forward and backward at once give each its own single-threaded
// result (the failure ATen's CPU convolution showed: wrong weight gradients).
// (8 input channels take the columns' product, 16 the direct convolution.)
TEST(Conv3x3, ForwardAndBackwardOnTwoThreadsAtOnce) {
  for (int64_t C : {8, 16}) {
    SCOPED_TRACE(C);
    use_threads(1);
    torch::manual_seed(13);
    std::vector<torch::Tensor> xs{torch::randn({16, C, 16, 16}), torch::randn({16, C, 16, 16})};
    const auto w = 0.1 * torch::randn({16, C, 3, 3});
    const auto b = torch::randn({16});
    const auto r = torch::randn({16, 16, 16, 16});
    EXPECT_EQ(conv3x3_direct_applies(channels_last(xs[0]).requires_grad_(), w, b), C == 16);
    std::vector<Grads> alone, together(2);
    for (const auto& x : xs) alone.push_back(kernel(x, w, b, r));
    for (int round = 0; round < 5; ++round) {
      std::thread t0([&] { together[0] = kernel(xs[0], w, b, r); });
      std::thread t1([&] { together[1] = kernel(xs[1], w, b, r); });
      t0.join();
      t1.join();
      for (int i = 0; i < 2; ++i) {
        EXPECT_TRUE(torch::equal(together[i].y, alone[i].y)) << round;
        EXPECT_TRUE(torch::equal(together[i].dw, alone[i].dw)) << round;
        EXPECT_TRUE(torch::equal(together[i].dx, alone[i].dx)) << round;
      }
    }
  }
  use_threads(2);
}

// Both paths give the same bits on one thread and on two (the direct one splits its rows over
// them), the whole batch at once.
TEST(Conv3x3, TheSameOnOneAndTwoThreads) {
  for (int64_t C : {8, 16}) {
    SCOPED_TRACE(C);
    torch::manual_seed(15);
    const auto x = torch::randn({4, C, 12, 12});
    const auto w = 0.1 * torch::randn({16, C, 3, 3});
    const auto b = torch::randn({16});
    const auto r = torch::randn({4, 16, 12, 12});
    EXPECT_EQ(conv3x3_direct_applies(channels_last(x).requires_grad_(), w, b), C == 16);
    use_threads(1);
    const auto one = kernel(x, w, b, r);
    use_threads(2);
    const auto two = kernel(x, w, b, r);
    EXPECT_TRUE(torch::equal(one.y, two.y));
    EXPECT_TRUE(torch::equal(one.dx, two.dx));
    EXPECT_TRUE(torch::equal(one.dw, two.dw));
    EXPECT_TRUE(torch::equal(one.db, two.db));
  }
}

TEST(ConvTower, ForwardEqualsTheAtenLayersWithGradients) {
  use_threads(2);
  torch::manual_seed(14);
  ConvTower tower(1, 16, std::vector<int64_t>{8, 16}, 2);
  const auto images = torch::randn({6, 1, 16, 16});
  const auto r = torch::randn({6, tower->out_dim});
  auto grads_of = [&](bool reference) {
    for (auto& p : tower->parameters()) p.mutable_grad() = torch::Tensor();
    auto y = reference ? tower->forward_aten(images) : tower->forward(images);
    (y * r).sum().backward();
    std::vector<torch::Tensor> g{y.detach()};
    for (auto& p : tower->parameters()) g.push_back(p.grad().clone());
    return g;
  };
  const auto want = grads_of(true);
  const auto got = grads_of(false);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(want.size(), 1 + tower->parameters().size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i == 0 ? std::string("values") : "parameter " + std::to_string(i - 1));
    expect_close(got[i], want[i], "tower");
  }
}

}  // namespace
}  // namespace rflab::eval
