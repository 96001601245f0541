// The one-pass AdamW against torch::optim::AdamW, its composite: the same parameters and moments
// to float rounding over several steps, the same state keys, the composite itself when the fused
// kernels are off, and the same result on one thread or two.
#include "core/train/fused_adamw.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "core/model/cpu_kernel.h"

using namespace rflab::core;

namespace {

// Parameters of several shapes, one larger than a parallel chunk (2^14 elements).
std::vector<torch::Tensor> parameters() {
  torch::manual_seed(3);
  std::vector<torch::Tensor> out;
  for (auto shape : std::vector<std::vector<int64_t>>{{7}, {33, 5}, {300, 100}, {1}})
    out.push_back(torch::randn(shape).requires_grad_(true));
  return out;
}

template <typename Opt>
std::vector<torch::Tensor> train(Opt& opt, std::vector<torch::Tensor>& ps, int steps) {
  for (int s = 0; s < steps; ++s) {
    for (auto& p : ps) p.mutable_grad() = torch::randn(p.sizes(), at::detail::createCPUGenerator(100 + s));
    opt.step();
  }
  std::vector<torch::Tensor> out;
  for (auto& p : ps) out.push_back(p.detach().clone());
  return out;
}

torch::optim::AdamWOptions options() { return torch::optim::AdamWOptions(1e-2).betas({0.9, 0.99}).eps(1e-8).weight_decay(0.1); }

const torch::optim::AdamWParamState& state_of(torch::optim::Optimizer& opt, const torch::Tensor& p) {
  return static_cast<const torch::optim::AdamWParamState&>(*opt.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())));
}

TEST(FusedAdamW, MatchesTheCompositeToFloatRounding) {
  auto a = parameters(), b = parameters();
  torch::optim::AdamW composite(a, options());
  FusedAdamW fused(b, options());
  const auto want = train(composite, a, 6), got = train(fused, b, 6);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(got[i], want[i], 1e-6, 1e-7)) << "parameter " << i;
    const auto& sa = state_of(composite, a[i]);
    const auto& sb = state_of(fused, b[i]);
    EXPECT_EQ(sb.step(), sa.step());
    // Gradients are of order 1: the moments' rounding is absolute, about 1e-7.
    EXPECT_LT((sb.exp_avg() - sa.exp_avg()).abs().max().item<double>(), 1e-6) << "exp_avg " << i;
    EXPECT_LT((sb.exp_avg_sq() - sa.exp_avg_sq()).abs().max().item<double>(), 1e-6) << "exp_avg_sq " << i;
  }
  EXPECT_FALSE(torch::equal(got[2], parameters()[2]));  // it moved
}

TEST(FusedAdamW, WithTheFusedKernelsOffIsTheCompositeBitForBit) {
  auto a = parameters(), b = parameters();
  torch::optim::AdamW composite(a, options());
  FusedAdamW fused(b, options());
  set_fused_kernels(false);
  const auto want = train(composite, a, 3), got = train(fused, b, 3);
  set_fused_kernels(true);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(got[i], want[i])) << "parameter " << i;
}

// Each element's update reads only that element: the threads split the elements, never a sum.
TEST(FusedAdamW, IndependentOfTheThreadCount) {
  const int threads = at::get_num_threads();
  std::vector<std::vector<torch::Tensor>> results;
  for (int n : {1, 2}) {
    at::set_num_threads(n);
    auto ps = parameters();
    FusedAdamW opt(ps, options());
    results.push_back(train(opt, ps, 3));
  }
  at::set_num_threads(threads);
  for (size_t i = 0; i < results[0].size(); ++i) EXPECT_TRUE(torch::equal(results[0][i], results[1][i])) << i;
}

TEST(FusedAdamW, AParameterWithoutAGradientIsLeftAlone) {
  auto ps = parameters();
  const auto before = ps[0].detach().clone();
  FusedAdamW opt(ps, options());
  for (size_t i = 1; i < ps.size(); ++i) ps[i].mutable_grad() = torch::ones_like(ps[i]);
  opt.step();
  EXPECT_TRUE(torch::equal(ps[0], before));
  EXPECT_EQ(opt.state().count(c10::guts::to_string(ps[0].unsafeGetTensorImpl())), 0u);
}

}  // namespace
