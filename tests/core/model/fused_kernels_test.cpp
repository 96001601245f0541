// The fused CPU kernels (joint attention, RMSNorm, modulation, GELU) against their ATen composites
// or closed forms: outputs and every input gradient, and independence from the number of intra-op
// threads. Kernels with an AVX2 + FMA build are checked in it and in the baseline build.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/model/gelu.h"
#include "core/model/joint_attention.h"
#include "core/model/linear.h"
#include "core/model/modulate.h"
#include "core/model/rms_norm.h"
#include "core/model/vectorised.h"

using namespace rflab::core;

namespace {

struct Grads {
  torch::Tensor out;
  std::vector<torch::Tensor> grads;
};

// Output and input gradients of f(inputs) under the upstream gradient `up`.
template <class F>
Grads run(F f, std::vector<torch::Tensor> inputs, const torch::Tensor& up) {
  for (auto& t : inputs) t = t.detach().clone().requires_grad_(true);
  auto out = f(inputs);
  out.backward(up);
  Grads g{out.detach(), {}};
  for (auto& t : inputs) g.grads.push_back(t.grad());
  return g;
}

void expect_close(const Grads& a, const Grads& b, double tol) {
  EXPECT_TRUE(torch::allclose(a.out, b.out, tol, tol)) << (a.out - b.out).abs().max().item<double>();
  ASSERT_EQ(a.grads.size(), b.grads.size());
  for (size_t i = 0; i < a.grads.size(); ++i)
    EXPECT_TRUE(torch::allclose(a.grads[i], b.grads[i], tol, tol))
        << "input " << i << ": " << (a.grads[i] - b.grads[i]).abs().max().item<double>();
}

void expect_equal(const Grads& a, const Grads& b) {
  EXPECT_TRUE(torch::equal(a.out, b.out));
  for (size_t i = 0; i < a.grads.size(); ++i) EXPECT_TRUE(torch::equal(a.grads[i], b.grads[i])) << "input " << i;
}

// f run on 1 and on 2 intra-op threads gives the same bits.
template <class F>
void expect_same_on_one_and_two_threads(F f, const std::vector<torch::Tensor>& inputs, const torch::Tensor& up) {
  const int before = torch::get_num_threads();
  torch::set_num_threads(1);
  auto one = run(f, inputs, up);
  torch::set_num_threads(2);
  auto two = run(f, inputs, up);
  torch::set_num_threads(before);
  expect_equal(one, two);
}

// A Linear whose weight and bias are the given tensors: x, weight, bias.
template <class F>
auto through_linear(F f) {
  return [f](const std::vector<torch::Tensor>& v) {
    torch::nn::Linear lin(v[1].size(1), v[1].size(0));
    lin->weight = v[1];
    lin->bias = v[2];
    return f(lin, v[0]);
  };
}
auto fused_linear = through_linear([](const torch::nn::Linear& l, const torch::Tensor& x) { return linear_rows(l, x); });
auto aten_linear = through_linear([](const torch::nn::Linear& l, const torch::Tensor& x) { return linear_rows_aten(l, x); });

// check() in the AVX2 + FMA build of the kernels (where this CPU has it) and in the baseline build.
template <class Check>
void in_both_vector_builds(Check check) {
  for (bool avx2 : {true, false}) {
    SCOPED_TRACE(avx2 ? "AVX2 + FMA build where the CPU has it" : "baseline build");
    set_avx2_fma(avx2);
    check();
  }
  set_avx2_fma(true);
}

auto fused_attention = [](const std::vector<torch::Tensor>& x) { return joint_attention(x[0], x[1], x[2]); };
auto aten_attention = [](const std::vector<torch::Tensor>& x) { return joint_attention_aten(x[0], x[1], x[2]); };

// The fused attention against ATen's on random q and k of the given scale (v of scale 1), in both
// vector builds.
void expect_attention_matches_aten(uint64_t seed, int64_t B, int64_t L, double qk_scale) {
  torch::manual_seed(seed);
  const int64_t heads = 2, d = 8;
  std::vector<torch::Tensor> qkv = {qk_scale * torch::randn({B, heads, L, d}),
                                    qk_scale * torch::randn({B, heads, L, d}), torch::randn({B, heads, L, d})};
  auto up = torch::randn({B, L, heads * d});
  in_both_vector_builds([&] { expect_close(run(fused_attention, qkv, up), run(aten_attention, qkv, up), 1e-5); });
}

}  // namespace

TEST(FusedKernels, JointAttentionMatchesAten) { expect_attention_matches_aten(0, 3, 13, 2); }

TEST(FusedKernels, JointAttentionWithScoresFarApartMatchesAten) {
  // Scores spread over hundreds: most exponents of the softmax fall below its clamp at −80.
  expect_attention_matches_aten(12, 2, 19, 30);
}

TEST(FusedKernels, JointAttentionRowsAreConvexCombinationsOfV) {
  // With v constant along the sequence, every output row equals that constant.
  auto q = torch::randn({2, 2, 9, 4}), k = torch::randn({2, 2, 9, 4});
  auto v = torch::arange(4, torch::kFloat32).view({1, 1, 1, 4}).expand({2, 2, 9, 4}).contiguous();
  auto o = joint_attention(q, k, v).view({2, 9, 2, 4});
  EXPECT_TRUE(torch::allclose(o, v.permute({0, 2, 1, 3}), 1e-5, 1e-5));
}

TEST(FusedKernels, JointAttentionDoesNotDependOnThreads) {
  torch::manual_seed(1);
  std::vector<torch::Tensor> qkv = {torch::randn({4, 3, 10, 8}), torch::randn({4, 3, 10, 8}), torch::randn({4, 3, 10, 8})};
  auto up = torch::randn({4, 10, 24});
  expect_same_on_one_and_two_threads(fused_attention, qkv, up);
}

TEST(FusedKernels, RMSNormMatchesAten) {
  torch::manual_seed(2);
  RMSNorm norm(16);
  torch::NoGradGuard g;
  norm->weight.copy_(torch::rand({16}) + 0.5);
  auto w = norm->weight.detach().clone();
  std::vector<torch::Tensor> inputs = {3 * torch::randn({5, 2, 300, 16}), w};
  auto up = torch::randn({5, 2, 300, 16});
  torch::GradMode::set_enabled(true);
  auto fused = run([&](const std::vector<torch::Tensor>& x) {
    RMSNorm n(16);
    n->weight = x[1];
    return n->forward(x[0]);
  }, inputs, up);
  auto aten = run([](const std::vector<torch::Tensor>& x) { return rms_norm_aten(x[0], x[1], 1e-6); }, inputs, up);
  expect_close(fused, aten, 2e-5);
}

TEST(FusedKernels, RMSNormGivesUnitRootMeanSquare) {
  RMSNorm norm(32);
  auto y = norm->forward(5 * torch::randn({7, 32}) + 1);
  EXPECT_TRUE(torch::allclose(y.pow(2).mean(-1), torch::ones({7}), 1e-4, 1e-4));
}

TEST(FusedKernels, RMSNormWeightGradientDoesNotDependOnThreads) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> inputs = {torch::randn({1000, 24}), torch::rand({24}) + 0.5};
  auto up = torch::randn({1000, 24});
  auto f = [](const std::vector<torch::Tensor>& x) {
    RMSNorm n(24);
    n->weight = x[1];
    return n->forward(x[0]);
  };
  expect_same_on_one_and_two_threads(f, inputs, up);
}

TEST(FusedKernels, TwoStreamAttentionEqualsAttentionOverTheConcatenation) {
  torch::manual_seed(4);
  const int64_t B = 2, heads = 3, Lc = 5, Lx = 7, d = 4;
  std::vector<torch::Tensor> in;
  for (int64_t L : {Lc, Lc, Lc, Lx, Lx, Lx}) in.push_back(torch::randn({B, heads, L, d}));
  auto up_c = torch::randn({B, Lc, heads * d}), up_x = torch::randn({B, Lx, heads * d});
  auto two_stream = [&](const std::vector<torch::Tensor>& x) {
    auto [oc, ox] = joint_attention(AttentionInputs{x[0], x[1], x[2]}, AttentionInputs{x[3], x[4], x[5]});
    return torch::cat({oc, ox}, 1);
  };
  auto concatenated = [&](const std::vector<torch::Tensor>& x) {
    return joint_attention_aten(torch::cat({x[0], x[3]}, 2), torch::cat({x[1], x[4]}, 2), torch::cat({x[2], x[5]}, 2));
  };
  auto up = torch::cat({up_c, up_x}, 1);
  expect_close(run(two_stream, in, up), run(concatenated, in, up), 1e-5);
  // The last block discards the context output: only the image output carries a gradient.
  auto image_only = [&](const std::vector<torch::Tensor>& x) {
    return joint_attention(AttentionInputs{x[0], x[1], x[2]}, AttentionInputs{x[3], x[4], x[5]}).second;
  };
  auto image_only_aten = [&](const std::vector<torch::Tensor>& x) { return concatenated(x).narrow(1, Lc, Lx); };
  expect_close(run(image_only, in, up_x), run(image_only_aten, in, up_x), 1e-5);
}

// Every input the tests below use: both signs, the saturated tails (past the clamp of −2u at
// ±80, below x ≈ −9.9), tiny inputs and exact zeros.
torch::Tensor gelu_inputs() {
  torch::manual_seed(9);
  return torch::cat({torch::linspace(-12, 12, 6001), 3 * torch::randn({4000}), 1e-3 * torch::randn({1000}),
                     1e-35 * torch::randn({10}), torch::zeros({3})});
}

// The fused GELU's values and gradients against the closed forms in double.
void expect_gelu_matches_the_exact_function() {
  auto x = gelu_inputs();
  auto up = torch::randn_like(x);
  auto fused = run([](const std::vector<torch::Tensor>& v) { return gelu_tanh(v[0]); }, {x}, up);
  // The closed forms in double, in the σ form ½(1 + tanh u) = 1/(1 + e^(−2u)) (the tanh form cancels
  // to 0 for x below −7 even in double): y = x·s, dy/dx = s + x·s(1 − s)·2·du/dx.
  auto xd = x.to(torch::kFloat64);
  const double a = std::sqrt(2.0 / M_PI), b = 0.044715;
  auto two_u = 2 * a * (xd + b * xd.pow(3));
  auto s = torch::sigmoid(two_u);
  auto y = xd * s;
  auto up_d = up.to(torch::kFloat64);
  auto dy = (s + xd * s * (1 - s) * 2 * a * (1 + 3 * b * xd * xd)) * up_d;
  // y to a few float ulps times 1 + |2u| (the rounding of 2u, amplified by e^(−2u) in the tail);
  // below 1e-30 (x < −9.9, where −2u is clamped) absolutely. dy/dx, of order 1, absolutely.
  auto excess_y = (fused.out.to(torch::kFloat64) - y).abs() - (2.5e-7 * (1 + two_u.abs()) * y.abs() + 1e-30);
  EXPECT_LE(excess_y.max().item<double>(), 0) << (fused.out.to(torch::kFloat64) - y).abs().max().item<double>();
  auto excess_dy = (fused.grads[0].to(torch::kFloat64) - dy).abs() - 3e-7 * up_d.abs();
  EXPECT_LE(excess_dy.max().item<double>(), 0) << (fused.grads[0].to(torch::kFloat64) - dy).abs().max().item<double>();
  // Without gradients (sampling) the same loop gives the same values.
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(gelu_tanh(x), fused.out));
}

TEST(FusedKernels, GeluTanhMatchesTheExactFunctionInDouble) {
  in_both_vector_builds(expect_gelu_matches_the_exact_function);
}

TEST(FusedKernels, GeluTanhMatchesAten) {
  auto x = gelu_inputs();
  auto up = torch::randn_like(x);
  auto aten = run([](const std::vector<torch::Tensor>& v) { return gelu_tanh_aten(v[0]); }, {x}, up);
  // ATen's own gradient is off the closed form by up to ~5e-6 (its tanh form near |x| ≈ 3).
  in_both_vector_builds([&] {
    expect_close(run([](const std::vector<torch::Tensor>& v) { return gelu_tanh(v[0]); }, {x}, up), aten, 1e-5);
  });
}

TEST(FusedKernels, LinearMatchesAddmm) {
  torch::manual_seed(11);
  // A 3-D input, as the blocks pass it, and a strided one (a narrow of a wider tensor).
  std::vector<torch::Tensor> in = {torch::randn({3, 17, 12}), torch::randn({20, 12}), torch::randn({20})};
  auto up = torch::randn({3, 17, 20});
  auto fused = run(fused_linear, in, up), aten = run(aten_linear, in, up);
  // The same sgemm onto rows that start as the bias: the same bits.
  EXPECT_TRUE(torch::equal(fused.out, aten.out));
  expect_close(fused, aten, 1e-5);
  std::vector<torch::Tensor> strided = {torch::randn({3, 17, 30}).narrow(2, 5, 12), in[1], in[2]};
  expect_close(run(fused_linear, strided, up), run(aten_linear, strided, up), 1e-5);
}

TEST(FusedKernels, LinearComputesOnlyTheGradientsAsked) {
  torch::manual_seed(12);
  torch::nn::Linear lin(6, 5);
  for (auto& p : lin->parameters()) p.requires_grad_(false);  // a frozen evaluator's layer
  auto x = torch::randn({4, 6}, torch::requires_grad());
  auto up = torch::randn({4, 5});
  linear_rows(lin, x).backward(up);
  EXPECT_FALSE(lin->weight.grad().defined());
  EXPECT_TRUE(torch::allclose(x.grad(), up.mm(lin->weight), 1e-6, 1e-6));
}

// The intra-op threads only: OpenBLAS's own split of the weight gradient gᵀ·x depends on its
// pool size, for ATen's mm as for this kernel (README "Determinism": one thread count).
TEST(FusedKernels, LinearDoesNotDependOnIntraOpThreads) {
  torch::manual_seed(13);
  std::vector<torch::Tensor> in = {torch::randn({2, 300, 64}), torch::randn({96, 64}), torch::randn({96})};
  auto up = torch::randn({2, 300, 96});
  expect_same_on_one_and_two_threads(fused_linear, in, up);
}

TEST(FusedKernels, ModulateAndGatedResidualMatchAddcmul) {
  torch::manual_seed(5);
  const int64_t B = 3, L = 17, H = 12;
  // Vectors as chunks of one adaLN output, as the block passes them (strided views).
  auto mods = torch::randn({B, 3 * H});
  std::vector<torch::Tensor> in = {torch::randn({B, L, H}), mods.narrow(1, 0, H), mods.narrow(1, H, H)};
  auto up = torch::randn({B, L, H});
  auto fused = run([](const std::vector<torch::Tensor>& v) { return modulate(v[0], v[1], v[2]); }, in, up);
  auto aten = run([](const std::vector<torch::Tensor>& v) {
    return torch::addcmul(v[1].unsqueeze(1), v[0], 1 + v[2].unsqueeze(1));
  }, in, up);
  expect_close(fused, aten, 1e-5);
  std::vector<torch::Tensor> in2 = {torch::randn({B, L, H}), mods.narrow(1, 2 * H, H), torch::randn({B, L, H})};
  auto fused2 = run([](const std::vector<torch::Tensor>& v) { return gated_residual(v[0], v[1], v[2]); }, in2, up);
  auto aten2 = run([](const std::vector<torch::Tensor>& v) { return torch::addcmul(v[0], v[1].unsqueeze(1), v[2]); },
                   in2, up);
  expect_close(fused2, aten2, 1e-5);
}
