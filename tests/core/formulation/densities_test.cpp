// Every training draw matches its analytic CDF (Kolmogorov–Smirnov at a fixed seed), SPEC §3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"

using rflab::core::Family;
using rflab::core::Formulation;
namespace sched = rflab::core::sched;

namespace {

constexpr int64_t kN = 20000;
// Critical value of the one-sample KS statistic at significance 0.001: 1.95/√n.
const double kCrit = 1.95 / std::sqrt(double(kN));

double ks(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  double d = 0;
  const double n = double(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double F = cdf(x[i]);
    d = std::max({d, std::abs(F - double(i) / n), std::abs(double(i + 1) / n - F)});
  }
  return d;
}

std::vector<double> to_vec(const torch::Tensor& t) {
  auto d = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Independent closed-form CDF of the drawn quantity; `x` picks what is tested (native t or σ).
struct Case {
  std::function<double(double)> cdf;
  bool use_sigma = false;
};

Case reference(const Formulation& f) {
  const double p1 = f.param1(), p2 = f.param2();
  switch (f.family()) {
    case Family::rf_mode:
      return {[p1](double t) { return 1.0 - sched::mode_map_inverse(t, p1); }};
    case Family::rf_lognorm:
      return {[p1, p2](double t) { return sched::normal_cdf((std::log(t / (1 - t)) - p1) / p2); }};
    case Family::rf_cosmap:
      return {[](double t) { return 2.0 / M_PI * std::atan(t / (1 - t)); }};
    case Family::edm:
      return {[p1, p2](double s) { return sched::normal_cdf((std::log(s) - p1) / p2); }, true};
    case Family::edm_rf:
      return {[](double s) { return s / (1 + s); }, true};
    case Family::edm_cos:
      return {[](double s) { return 2.0 / M_PI * std::atan(s); }, true};
    case Family::eps_cos:
    case Family::v_cos:  // t ~ U(0,1)
      return {[](double t) { return std::clamp(t, 0.0, 1.0); }};
    case Family::eps_linear:
    case Family::v_linear: break;  // a discrete draw over k, not a continuous one
  }
  throw std::logic_error("no continuous reference CDF for " + f.name());
}

}  // namespace

TEST(FormulationDensities, EveryContinuousDrawMatchesItsCdf) {
  for (const auto& n : Formulation::registry()) {
    auto f = Formulation::parse(n);
    if (f.family() == Family::eps_linear || f.family() == Family::v_linear) continue;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
    auto l = f.sample_levels(kN, gen);
    auto c = reference(f);
    double d = ks(to_vec(c.use_sigma ? l.sigma : l.t), c.cdf);
    EXPECT_LT(d, kCrit) << n;
  }
}

TEST(FormulationDensities, LdmIndicesAreUniform) {
  // k uniform on {0…999} makes (k + U)/T uniform on (0,1).
  auto f = Formulation::parse("eps/linear");
  auto gen = at::make_generator<at::CPUGeneratorImpl>(99);
  auto k = f.sample_levels(kN, gen).c_t.to(torch::kFloat64);
  auto jitter = torch::rand({kN}, at::make_generator<at::CPUGeneratorImpl>(5), torch::kFloat64);
  EXPECT_EQ(k.min().item<double>(), 0.0);
  EXPECT_EQ(k.max().item<double>(), 999.0);
  EXPECT_LT(ks(to_vec((k + jitter) / 1000.0), [](double x) { return x; }), kCrit);
}

TEST(FormulationDensities, CustomModeAndShiftedLognorm) {
  auto f = Formulation::parse("rf/mode(0.70)");
  auto l = f.sample_levels(kN, at::make_generator<at::CPUGeneratorImpl>(3));
  EXPECT_LT(ks(to_vec(l.t), [](double t) { return 1.0 - sched::mode_map_inverse(t, 0.7); }), kCrit);
  // Shift α: σ_m = α·σ, so ln σ_m − ln α ~ N(m, s²) for the logit-normal.
  auto g = Formulation::parse("rf/lognorm(0.00, 1.00)");
  g.set_shift(3.0);
  auto ls = g.sample_levels(kN, at::make_generator<at::CPUGeneratorImpl>(4));
  EXPECT_LT(ks(to_vec(ls.sigma), [](double s) { return sched::normal_cdf(std::log(s / 3.0)); }), kCrit);
}

TEST(FormulationDensities, DensityIntegratesToOneAndMatchesCdfSlope) {
  for (const char* n : {"rf/mode(-0.54)", "rf/mode(1.29)", "rf/lognorm(-0.50, 0.60)", "rf/lognorm(1.00, 2.20)", "rf/cosmap"}) {
    auto f = Formulation::parse(n);
    auto c = reference(f);
    double integral = 0;
    const int m = 20000;
    for (int i = 0; i < m; ++i) integral += f.density((i + 0.5) / m) / m;
    EXPECT_NEAR(integral, 1.0, 2e-3) << n;
    for (double t : {0.1, 0.37, 0.8}) {
      double h = 1e-5;
      EXPECT_NEAR(f.density(t), (c.cdf(t + h) - c.cdf(t - h)) / (2 * h), 1e-4 * (1 + f.density(t))) << n << " t=" << t;
    }
  }
}
