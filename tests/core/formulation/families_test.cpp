// Per-family conversions, EDM preconditioning and the unified weights (SPEC §1.3, §3, §4.1).
#include <gtest/gtest.h>

#include <cmath>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"

using rflab::core::Family;
using rflab::core::Formulation;
using rflab::core::Levels;

namespace {
std::vector<std::string> every_family() {
  auto v = Formulation::registry();
  v.push_back("eps/linear+minsnr(5.00)");
  v.push_back("v/cos+minsnr(1.00)");
  v.push_back("v/linear+ztsnr");
  return v;
}
}  // namespace

TEST(FormulationFamilies, TrueTargetConvertsToTrueNoiseDataAndVelocity) {
  torch::manual_seed(0);
  auto x0 = torch::randn({6, 2, 3, 3}, torch::kFloat64).to(torch::kFloat32);
  auto eps = torch::randn({6, 2, 3, 3});
  // Mid-range RF times: the cosine ε-family is well-conditioned there.
  auto t_rf = torch::tensor({0.05, 0.2, 0.4, 0.6, 0.8, 0.95});
  for (const auto& n : every_family()) {
    auto f = Formulation::parse(n);
    for (const Levels& l : {f.at_rf_time(t_rf), f.sample_levels(6, at::make_generator<at::CPUGeneratorImpl>(1))}) {
      if (f.family() == Family::eps_cos || f.family() == Family::eps_linear)
        if ((l.a < 0.05).any().item<bool>()) continue;  // ε-prediction has no stable x̂0 near a = 0
      auto z = f.noised(x0, eps, l);
      auto p = f.convert(f.target(x0, eps, l), z, l);
      EXPECT_TRUE(torch::allclose(p.eps, eps, 1e-3, 1e-3)) << n;
      EXPECT_TRUE(torch::allclose(p.x0, x0, 1e-3, 1e-3)) << n;
      EXPECT_LT(f.velocity_loss(f.target(x0, eps, l), z, x0, eps, l).max().item<float>(), 1e-5) << n;
      EXPECT_LT(f.loss(f.target(x0, eps, l), x0, eps, l).max().item<float>(), 1e-12) << n;
    }
  }
}

TEST(FormulationFamilies, EdmPreconditioningReproducesEdmWeighting) {
  // λ(σ)·‖D − x0‖² with D = c_skip·z + c_out·F equals the F-form loss ‖F − F_tgt‖².
  auto f = Formulation::parse("edm(-1.20, 1.20)");
  auto l = f.at_rf_time(torch::tensor({0.1, 0.5, 0.9}));
  auto x0 = torch::randn({3, 4}, torch::kFloat64), eps = torch::randn({3, 4}, torch::kFloat64);
  auto out = torch::randn({3, 4}, torch::kFloat64);
  auto z = f.noised(x0, eps, l);
  auto p = f.convert(out, z, l);
  auto s = l.sigma.to(torch::kFloat64).unsqueeze(1);
  auto lam = (s * s + 0.25) / (s * 0.5).square();
  auto d_form = (lam * (p.x0 - x0).square()).mean(1);
  EXPECT_TRUE(torch::allclose(f.loss(out, x0, eps, l), d_form, 1e-6, 1e-9));
  EXPECT_TRUE(torch::allclose(f.net_input(z, l), z / torch::sqrt(s * s + 0.25)));
  EXPECT_TRUE(torch::allclose(l.c_t.to(torch::kFloat64), 250.0 * torch::log(s.squeeze(1)), 1e-5));
}

TEST(FormulationFamilies, EdmUnifiedWeightIsGaussianTimesEdmFactor) {
  // w = 8·N(λ; −2Pm, 4Ps²)·(e^{−λ} + ¼), the constant 8 = 2/σ_d².
  for (const char* n : {"edm(-1.20, 1.20)", "edm(0.60, 0.60)"}) {
    auto f = Formulation::parse(n);
    const double pm = f.param1(), ps = f.param2();
    for (double t : {0.05, 0.3, 0.5, 0.77, 0.95}) {
      double lam = f.log_snr(t);
      double gauss = std::exp(-std::pow(lam + 2 * pm, 2) / (8 * ps * ps)) / (2 * ps * std::sqrt(2 * M_PI));
      EXPECT_NEAR(f.weight(t) / (gauss * (std::exp(-lam) + 0.25)), 8.0, 1e-8) << n << " t=" << t;
    }
  }
  auto er = Formulation::parse("edm/rf"), ec = Formulation::parse("edm/cos");
  for (double t : {0.1, 0.5, 0.9}) {
    double l1 = er.log_snr(t), l2 = ec.log_snr(t);
    EXPECT_NEAR(er.weight(t) / (std::pow(1 / std::cosh(l1 / 4), 2) / 8 * (std::exp(-l1) + 0.25)), 8.0, 1e-8);
    EXPECT_NEAR(ec.weight(t) / (1 / std::cosh(l2 / 2) / (2 * M_PI) * (std::exp(-l2) + 0.25)), 8.0, 1e-8);
  }
}

TEST(FormulationFamilies, UnifiedWeightsOfRfVcosEpscos) {
  auto rf = Formulation::parse("rf"), vc = Formulation::parse("v/cos"), ec = Formulation::parse("eps/cos");
  for (double t : {0.02, 0.2, 0.5, 0.7, 0.98}) {
    EXPECT_NEAR(rf.weight(t), t / (1 - t), 1e-12);
    EXPECT_NEAR(rf.weight(t), std::exp(-rf.log_snr(t) / 2), 1e-10);
    EXPECT_NEAR(vc.weight(t) * M_PI / 2, std::exp(-vc.log_snr(t) / 2), 1e-10);  // e^{−λ/2}, constant 2/π
    EXPECT_NEAR(ec.weight(t) * M_PI, 1 / std::cosh(ec.log_snr(t) / 2), 1e-10);  // sech(λ/2), constant 1/π
  }
  // Change of variables: λ' from the closed forms matches a finite difference of λ.
  for (const auto& n : Formulation::registry()) {
    auto f = Formulation::parse(n);
    if (f.family() == Family::eps_linear || f.family() == Family::v_linear) continue;
    double h = 1e-6, t = 0.4;
    EXPECT_NEAR(f.dlog_snr_dt(t), (f.log_snr(t + h) - f.log_snr(t - h)) / (2 * h), 1e-4 * std::abs(f.dlog_snr_dt(t))) << n;
  }
}

TEST(FormulationFamilies, VcosLossIsScaledEpsLoss) {
  // ‖v̂ − v‖² = (1 + e^{−λ})·‖ε̂ − ε‖².
  auto v = Formulation::parse("v/cos");
  auto l = v.at_time(torch::tensor({0.3, 0.7}, torch::kFloat64));
  auto x0 = torch::randn({2, 5}, torch::kFloat64), eps = torch::randn({2, 5}, torch::kFloat64);
  auto out = torch::randn({2, 5}, torch::kFloat64);
  auto z = v.noised(x0, eps, l);
  auto eps_hat = v.convert(out, z, l).eps;
  auto s = l.sigma.to(torch::kFloat64);
  EXPECT_TRUE(torch::allclose(v.loss(out, x0, eps, l), (1 + s * s) * (eps_hat - eps).square().mean(1), 1e-5));
}

TEST(FormulationFamilies, MinSnrWeighting) {
  auto e = Formulation::parse("eps/cos+minsnr(5.00)"), v = Formulation::parse("v/cos+minsnr(5.00)");
  auto l = e.at_time(torch::tensor({0.05, 0.9}, torch::kFloat64));
  auto x0 = torch::zeros({2, 3}), eps = torch::zeros({2, 3}), out = torch::ones({2, 3});
  auto snr = (l.a / l.b).square().to(torch::kFloat64);
  auto want_e = torch::clamp_max(5.0 / snr, 1.0);
  EXPECT_TRUE(torch::allclose(e.loss(out, x0, eps, l).to(torch::kFloat64), want_e, 1e-5));
  auto want_v = torch::minimum(snr, torch::full_like(snr, 5.0)) / (snr + 1);
  EXPECT_TRUE(torch::allclose(v.loss(out, x0, eps, l).to(torch::kFloat64), want_v, 1e-5));
}

TEST(FormulationFamilies, EmbedderInputsFollowTheTable) {
  auto t = torch::tensor({0.25});
  EXPECT_FLOAT_EQ(Formulation::parse("v/cos").at_time(t).c_t.item<float>(), 250.0f);
  EXPECT_FLOAT_EQ(Formulation::parse("eps/linear").at_time(t).c_t.item<float>(), 249.0f);
  EXPECT_FLOAT_EQ(Formulation::parse("eps/linear").at_time(t).t.item<float>(), 0.25f);
  auto e = Formulation::parse("edm/rf").at_time(torch::tensor({0.0, 1.0}));
  EXPECT_NEAR(e.t[0].item<float>(), 1e-5, 1e-9);  // D6 clamp
  EXPECT_TRUE(torch::isfinite(e.sigma).all().item<bool>());
}

TEST(FormulationFamilies, RfTimeMapsThroughSigmaWithSharedClipping) {
  auto t = torch::tensor({0.0, 0.5, 0.999, 1.0});
  auto c = Formulation::parse("eps/cos").at_rf_time(t);
  EXPECT_NEAR(c.sigma[1].item<float>(), 1.0f, 1e-6);
  EXPECT_NEAR(c.sigma[3].item<float>(), 80.0f, 1e-3);
  auto e = Formulation::parse("edm(0.00, 0.60)").at_rf_time(t);
  EXPECT_NEAR(e.sigma[0].item<float>(), 0.002f, 1e-7);
  EXPECT_NEAR(e.sigma[2].item<float>(), 80.0f, 1e-3);
  auto k = Formulation::parse("v/linear").at_rf_time(t);
  EXPECT_EQ(k.c_t[0].item<float>(), 0.0f);
  EXPECT_EQ(k.c_t[3].item<float>(), 999.0f);
  EXPECT_NEAR(k.c_t[1].item<float>(), 0.0f + float(rflab::core::sched::ldm_index_of_sigma(1.0, false)), 0);
}
