// The one-pass AdamW against torch::optim::AdamW, its composite: the same parameters and moments
// to float rounding over several steps, the same state keys, the composite itself when the fused
// kernels are off, and the same result on one thread or two.
#include "core/train/fused_adamw.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "core/model/cpu_kernel.h"
#include "core/util/torch_compat.h"

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
  return static_cast<const torch::optim::AdamWParamState&>(*opt.state().at(rflab::compat::optimizer_state_key(opt.state(), p)));
}

// Parameters `b` of `other` equal parameters `a` of `composite`, and so do their moments, to float
// rounding; and they moved.
void expect_like_composite(torch::optim::Optimizer& composite, const std::vector<torch::Tensor>& a,
                           torch::optim::Optimizer& other, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(b[i], a[i], 1e-6, 1e-7)) << "parameter " << i;
    const auto& sa = state_of(composite, a[i]);
    const auto& sb = state_of(other, b[i]);
    EXPECT_EQ(sb.step(), sa.step());
    // Gradients are of order 1: the moments' rounding is absolute, about 1e-7.
    EXPECT_LT((sb.exp_avg() - sa.exp_avg()).abs().max().item<double>(), 1e-6) << "exp_avg " << i;
    EXPECT_LT((sb.exp_avg_sq() - sa.exp_avg_sq()).abs().max().item<double>(), 1e-6) << "exp_avg_sq " << i;
  }
  EXPECT_FALSE(torch::equal(b[2], parameters()[2]));
}

TEST(FusedAdamW, MatchesTheCompositeToFloatRounding) {
  auto a = parameters(), b = parameters();
  torch::optim::AdamW composite(a, options());
  FusedAdamW fused(b, options());
  train(composite, a, 6);
  train(fused, b, 6);
  expect_like_composite(composite, a, fused, b);
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

// The CUDA route, run here on the CPU: the same update as multi-tensor (_foreach_) kernels.
TEST(FusedAdamW, TheMultiTensorRouteMatchesTheComposite) {
  auto a = parameters(), b = parameters();
  torch::optim::AdamW composite(a, options());
  FusedAdamW multi(b, options());
  std::vector<torch::Tensor> want, got;
  for (int s = 0; s < 6; ++s) {
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].mutable_grad() = torch::randn(a[i].sizes(), at::detail::createCPUGenerator(100 + s));
      b[i].mutable_grad() = a[i].grad().clone();
    }
    composite.step();
    ASSERT_TRUE(multi.step_multi_tensor()) << "step " << s;
  }
  expect_like_composite(composite, a, multi, b);
}

TEST(FusedAdamW, TheMultiTensorRouteDeclinesWhatItCannotDoAndChangesNothing) {
  auto ps = parameters();
  FusedAdamW opt(ps, options());
  for (size_t i = 1; i < ps.size(); ++i) ps[i].mutable_grad() = torch::ones_like(ps[i]);
  ASSERT_TRUE(opt.step_multi_tensor());  // parameter 0 has no gradient: no state, no step
  ps[0].mutable_grad() = torch::ones_like(ps[0]);
  const auto before = ps[1].detach().clone();
  EXPECT_FALSE(opt.step_multi_tensor()) << "step counts 0 and 1 in one update";
  EXPECT_TRUE(torch::equal(ps[1], before));
  EXPECT_EQ(state_of(opt, ps[1]).step(), 1);
  FusedAdamW ams(ps, torch::optim::AdamWOptions(1e-2).amsgrad(true));
  EXPECT_FALSE(ams.step_multi_tensor());
  set_fused_kernels(false);
  EXPECT_FALSE(opt.step_multi_tensor()) << "--reference-kernels runs the composite";
  set_fused_kernels(true);
}

TEST(FusedAdamW, AParameterWithoutAGradientIsLeftAlone) {
  auto ps = parameters();
  const auto before = ps[0].detach().clone();
  FusedAdamW opt(ps, options());
  for (size_t i = 1; i < ps.size(); ++i) ps[i].mutable_grad() = torch::ones_like(ps[i]);
  opt.step();
  EXPECT_TRUE(torch::equal(ps[0], before));
  EXPECT_EQ(opt.state().count(rflab::compat::optimizer_state_key(opt.state(), ps[0])), 0u);
}

}  // namespace
