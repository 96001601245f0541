// Rectified flow: path, target, loss, conversion and the logit-normal draw (SPEC §3.2, §4.1).
#include <gtest/gtest.h>

#include <cmath>

#include "core/formulation/formulation.h"

using rflab::core::Formulation;

TEST(FormulationRf, PathTargetAndEmbedderInput) {
  auto f = Formulation::parse("rf/lognorm(0.00, 1.00)");
  auto l = f.at_time(torch::tensor({0.25, 0.5}, torch::kFloat64));
  auto x0 = torch::randn({2, 3, 4, 4}), eps = torch::randn({2, 3, 4, 4});
  auto z = f.noised(x0, eps, l);
  EXPECT_TRUE(torch::allclose(z[0], 0.75 * x0[0] + 0.25 * eps[0]));
  EXPECT_TRUE(torch::allclose(f.target(x0, eps, l), eps - x0));
  EXPECT_TRUE(torch::allclose(f.net_input(z, l), z));
  EXPECT_FLOAT_EQ(l.c_t[0].item<float>(), 250.0f);
  EXPECT_FLOAT_EQ(l.sigma[0].item<float>(), 1.0f / 3.0f);
}

TEST(FormulationRf, LossIsUnweightedVelocityMse) {
  auto f = Formulation::parse("rf");
  auto l = f.at_time(torch::tensor({0.3, 0.9}));
  auto x0 = torch::randn({2, 2, 3, 3}), eps = torch::randn({2, 2, 3, 3});
  auto out = torch::randn({2, 2, 3, 3});
  auto loss = f.loss(out, x0, eps, l);
  ASSERT_EQ(loss.sizes(), torch::IntArrayRef({2}));
  EXPECT_TRUE(torch::allclose(loss, (out - (eps - x0)).square().mean({1, 2, 3})));
  EXPECT_TRUE(torch::allclose(f.velocity_loss(out, f.noised(x0, eps, l), x0, eps, l), loss, 1e-5, 1e-6));
}

TEST(FormulationRf, TrueVelocityConvertsToTrueNoiseAndData) {
  auto f = Formulation::parse("rf/lognorm(0.50, 0.60)");
  auto l = f.sample_levels(8, at::detail::getDefaultCPUGenerator());
  auto x0 = torch::randn({8, 4, 2, 2}), eps = torch::randn({8, 4, 2, 2});
  auto z = f.noised(x0, eps, l);
  auto p = f.convert(f.target(x0, eps, l), z, l);
  EXPECT_TRUE(torch::allclose(p.x0, x0, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(p.eps, eps, 1e-5, 1e-5));
}

TEST(FormulationRf, LognormDrawIsDeterministicPerSeedAndInUnitInterval) {
  auto f = Formulation::parse("rf/lognorm(0.00, 1.00)");
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(7), g2 = at::make_generator<at::CPUGeneratorImpl>(7);
  auto a = f.sample_levels(1000, g1), b = f.sample_levels(1000, g2);
  EXPECT_TRUE(torch::equal(a.t, b.t));
  EXPECT_GT(a.t.min().item<float>(), 0.0f);
  EXPECT_LT(a.t.max().item<float>(), 1.0f);
  EXPECT_TRUE(torch::allclose(a.a + a.b, torch::ones({1000})));
}

TEST(FormulationRf, LognormDensityAndWeight) {
  auto f = Formulation::parse("rf/lognorm(0.00, 1.00)");
  // π(1/2) = 1/(√(2π)·¼), w = t/(1−t)·π.
  EXPECT_NEAR(f.density(0.5), 4.0 / std::sqrt(2 * M_PI), 1e-12);
  EXPECT_NEAR(f.weight(0.25), (1.0 / 3.0) * f.density(0.25), 1e-12);
  EXPECT_NEAR(f.log_snr(0.25), 2 * std::log(3.0), 1e-12);
}
