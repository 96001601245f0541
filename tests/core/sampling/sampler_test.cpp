// Sampler on 1-D Gaussian data N(μ, s²) with the exact denoiser E[x0|z] in closed form (SPEC §4.2–§4.4),
// and the CFG batch order (SPEC §4.5).
#include <gtest/gtest.h>

#include <cmath>

#include "core/formulation/formulation.h"
#include "core/sampling/sampler.h"

using namespace rflab::core;

namespace {

constexpr double kMu = 1.0, kS = 0.5;

// The family's output for the exact posterior, recovering the level from the embedder input c_t.
Network exact_model(const Formulation& f) {
  return [f](const torch::Tensor& z_in, const torch::Tensor& c_t, const Conditioning&) {
    auto c = c_t.to(torch::kFloat64);
    torch::Tensor a, b, z;
    if (f.is_edm()) {
      auto sigma = torch::exp(c / 250.0);
      a = torch::ones_like(sigma);
      b = sigma;
      z = z_in.to(torch::kFloat64) * torch::sqrt(sigma * sigma + 0.25).unsqueeze(1);
    } else {
      auto t = (f.family() == Family::eps_linear || f.family() == Family::v_linear) ? (c + 1) / 1000.0 : c / 1000.0;
      auto l = f.at_time(t);
      a = l.a.to(torch::kFloat64);
      b = l.b.to(torch::kFloat64);
      z = z_in.to(torch::kFloat64);
    }
    a = a.unsqueeze(1);
    b = b.unsqueeze(1);
    auto x0 = kMu + a * kS * kS / (a * a * kS * kS + b * b) * (z - a * kMu);
    auto eps = (z - a * x0) / b;
    torch::Tensor out;
    switch (f.family()) {
      case Family::eps_linear:
      case Family::eps_cos: out = eps; break;
      case Family::v_linear:
      case Family::v_cos: out = a * eps - b * x0; break;
      case Family::edm:
      case Family::edm_rf:
      case Family::edm_cos: {
        auto s2 = b * b + 0.25;
        out = (x0 - 0.25 / s2 * z) / (b * 0.5 / torch::sqrt(s2));
        break;
      }
      case Family::rf_mode:
      case Family::rf_lognorm:
      case Family::rf_cosmap: out = eps - x0; break;
    }
    return out.to(torch::kFloat32);
  };
}

torch::Tensor standard_noise() {
  auto e = torch::randn({2000, 1}, at::make_generator<at::CPUGeneratorImpl>(11), torch::kFloat64);
  return ((e - e.mean()) / e.std(0, false)).to(torch::kFloat32);
}

struct Moments {
  double mean, std;
};

Moments run(const Formulation& f, int64_t steps, Solver solver = Solver::euler, GridMode grid = GridMode::native) {
  SamplerOptions o;
  o.steps = steps;
  o.solver = solver;
  o.grid = grid;
  auto x = sample(f, exact_model(f), standard_noise(), Conditioning{}, o).to(torch::kFloat64);
  return {x.mean().item<double>(), x.std(0, false).item<double>()};
}

// The exact ODE maps the initial state affinely: x̄ − μ scales with √(s² + σ²). The initial noise
// ignores the a·x0 term (D9), so the exact endpoint differs slightly from (μ, s) for VP and EDM.
Moments ode_endpoint(const Formulation& f, GridMode grid) {
  auto l0 = f.grid_values(50, grid).front();
  if (std::isinf(l0.sigma)) return {kMu, kS};
  const double start_std = f.is_edm() ? l0.sigma : 1.0;
  const double k = kS / std::sqrt(kS * kS + l0.sigma * l0.sigma);
  return {kMu - kMu * k, start_std / l0.a * k};
}

double error(const Moments& m, const Moments& ref) { return std::abs(m.mean - ref.mean) + std::abs(m.std - ref.std); }

}  // namespace

TEST(Sampler, EulerWithExactModelReachesDataMomentsAndConverges) {
  std::vector<std::string> names = {"rf", "rf/lognorm(0.00, 1.00)", "eps/cos", "v/cos", "eps/linear", "v/linear",
                                    "v/linear+ztsnr", "edm(-1.20, 1.20)", "edm/rf", "edm/cos"};
  for (const auto& n : names) {
    auto f = Formulation::parse(n);
    for (auto grid : {GridMode::native, GridMode::shared}) {
      auto ref = ode_endpoint(f, grid);
      double e5 = error(run(f, 5, Solver::euler, grid), ref), e50 = error(run(f, 50, Solver::euler, grid), ref);
      double e200 = error(run(f, 200, Solver::euler, grid), ref);
      auto m = run(f, 50, Solver::euler, grid);
      // First-order solver: the error shrinks about as 1/N.
      EXPECT_LT(e50, 0.05) << n << " grid " << int(grid);
      EXPECT_LT(e50, e5 / 3) << n << " grid " << int(grid);
      EXPECT_LT(e200, e50 / 2) << n << " grid " << int(grid);
      EXPECT_NEAR(m.mean, kMu, 0.05) << n;
      EXPECT_NEAR(m.std, kS, 0.05) << n;
    }
  }
}

TEST(Sampler, HeunIsMoreAccurateThanEulerAtEqualSteps) {
  for (const char* n : {"rf", "v/cos", "edm(0.00, 1.20)"}) {
    auto f = Formulation::parse(n);
    auto ref = ode_endpoint(f, GridMode::native);
    EXPECT_LT(error(run(f, 10, Solver::heun), ref), error(run(f, 10, Solver::euler), ref)) << n;
  }
}

TEST(Sampler, NetworkEvaluationsCount) {
  auto f = Formulation::parse("rf");
  auto net = exact_model(f);
  int64_t evals = 0;
  SamplerOptions o;
  o.steps = 7;
  sample(f, net, standard_noise(), Conditioning{}, o, &evals);
  EXPECT_EQ(evals, 7);
  o.solver = Solver::heun;
  sample(f, net, standard_noise(), Conditioning{}, o, &evals);
  EXPECT_EQ(evals, 13);  // no correction on the last step
  auto ldm = Formulation::parse("eps/linear");
  o.solver = Solver::euler;
  o.grid = GridMode::shared;
  o.steps = 1000;
  sample(ldm, exact_model(ldm), standard_noise(), Conditioning{}, o, &evals);
  EXPECT_EQ(evals + 1, int64_t(ldm.grid_values(1000, GridMode::shared).size()));  // merged levels make no call
  EXPECT_LT(evals, 1000);
}

// A constant velocity v moves every sample along a straight line from t = 1 to t = 0, so its path
// length Σ‖v·dt‖ is ‖v‖ whatever the grid; the exact 1-D model's straight RF path has length
// |ε − x̂0| summed over steps, which is at least the distance from the noise to the sample.
TEST(Sampler, PathLengthIsTheSumOfVelocityTimesStepInRfCoordinates) {
  auto f = Formulation::parse("rf");
  Network constant = [](const torch::Tensor& z, const torch::Tensor&, const Conditioning&) {
    return torch::full_like(z, 2.0);
  };
  SamplerOptions o;
  o.steps = 9;
  torch::Tensor length;
  auto eps = torch::zeros({4, 3});
  sample(f, constant, eps, Conditioning{}, o, nullptr, &length);
  ASSERT_EQ(length.size(0), 4);
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(length[i].item<double>(), 2.0 * std::sqrt(3.0), 1e-5);

  auto noise = standard_noise();
  auto x = sample(f, exact_model(f), noise, Conditioning{}, o, nullptr, &length);
  auto direct = (x - noise).abs().reshape({-1}).to(torch::kFloat64);
  EXPECT_TRUE((length + 1e-5 >= direct).all().item<bool>());
}

TEST(Sampler, GuidanceBatchesCondThenUncond) {
  Conditioning cond{torch::ones({3, 2}), torch::ones({3, 4, 5})};
  int64_t calls = 0, batch_seen = 0;
  Network net = [&](const torch::Tensor& z, const torch::Tensor& c_t, const Conditioning& c) {
    ++calls;
    batch_seen = z.size(0);
    EXPECT_EQ(c_t.size(0), z.size(0));
    // Output = pooled[:, 0] per sample: 1 for the conditional branch, 0 for the zeroed one.
    return c.pooled.select(1, 0).view({-1, 1}).expand({z.size(0), 6}).clone() + c.context.sum({1, 2}).view({-1, 1}) * 0;
  };
  int64_t evals = 0;
  auto out = guided_output(net, torch::zeros({3, 6}), torch::zeros({3}), cond, 2.5, &evals);
  EXPECT_EQ(batch_seen, 6);
  EXPECT_EQ(evals, 2);
  EXPECT_TRUE(torch::allclose(out, torch::full({3, 6}, 2.5f)));  // out_u + w(out_c − out_u) = w
  evals = 0;
  out = guided_output(net, torch::zeros({3, 6}), torch::zeros({3}), cond, 1.0, &evals);
  EXPECT_EQ(batch_seen, 3);
  EXPECT_EQ(evals, 1);
  EXPECT_TRUE(torch::allclose(out, torch::ones({3, 6})));
}

TEST(Sampler, GuidedSamplingCountsTwoEvaluationsPerStep) {
  auto f = Formulation::parse("edm/cos");
  auto model = exact_model(f);
  Conditioning cond{torch::ones({2000, 2}), torch::ones({2000, 1, 1})};
  SamplerOptions o;
  o.steps = 5;
  o.cfg = 5.0;
  int64_t evals = 0;
  // The exact model ignores conditioning, so guidance leaves the result unchanged.
  auto guided = sample(f, model, standard_noise(), cond, o, &evals);
  EXPECT_EQ(evals, 10);
  o.cfg = 1.0;
  EXPECT_TRUE(torch::allclose(guided, sample(f, model, standard_noise(), cond, o), 1e-4, 1e-4));
}
