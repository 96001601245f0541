// Forward paths, level draws, targets, losses and conversions of every family (SPEC §3, §4.1).
#include "core/formulation/formulation.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/formulation/schedules.h"

namespace rflab::core {
namespace {

using sched::kPi;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSd = sched::kEdmSigmaData;

LevelValues ldm_level(int64_t k, bool ztsnr) {
  const double ab = sched::ldm_alphabar(ztsnr)[k];
  LevelValues l;
  l.t = double(k + 1) / double(sched::kLdmSteps);
  l.a = std::sqrt(ab);
  l.b = std::sqrt(1.0 - ab);
  l.sigma = l.a > 0 ? l.b / l.a : kInf;
  l.c_t = double(k);
  return l;
}

LevelValues edm_level(double sigma, double t) {
  LevelValues l;
  l.t = t;
  l.a = 1.0;
  l.b = sigma;
  l.sigma = sigma;
  l.c_in = 1.0 / std::sqrt(sigma * sigma + kSd * kSd);
  l.c_t = 250.0 * std::log(sigma);  // 1000 · c_noise, c_noise = ln σ / 4 (D3)
  return l;
}

LevelValues rf_level(double t) {
  LevelValues l;
  l.t = t;
  l.a = 1.0 - t;
  l.b = t;
  l.sigma = t < 1.0 ? t / (1.0 - t) : kInf;
  l.c_t = 1000.0 * t;
  return l;
}

LevelValues cos_level(double t) {
  LevelValues l;
  l.t = t;
  l.a = t >= 1.0 ? 0.0 : std::cos(kPi * t / 2.0);
  l.b = t >= 1.0 ? 1.0 : std::sin(kPi * t / 2.0);
  l.sigma = l.a > 0 ? l.b / l.a : kInf;
  l.c_t = 1000.0 * t;
  return l;
}

// [B] level values broadcast against x: [B] -> [B, 1, ..., 1] in x's dtype and device.
torch::Tensor bc(const torch::Tensor& v, const torch::Tensor& x) {
  std::vector<int64_t> shape(std::max<int64_t>(x.dim(), 1), 1);
  shape[0] = v.size(0);
  return v.to(x.device(), x.scalar_type()).reshape(shape);
}

torch::Tensor per_sample_mean(const torch::Tensor& sq) { return sq.reshape({sq.size(0), -1}).mean(1); }

// A family value outside the enumerators, or an EDM helper asked about another family.
[[noreturn]] void no_such_family(const char* where) {
  throw std::logic_error(std::string(where) + ": not defined for this formulation family");
}

double edm_sigma_of_time(Family f, double p1, double p2, double t) {
  switch (f) {
    case Family::edm: return std::exp(p1 + p2 * sched::normal_icdf(t));
    case Family::edm_rf: return t / (1.0 - t);
    case Family::edm_cos: return std::tan(kPi * t / 2.0);
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: break;
  }
  no_such_family("edm_sigma_of_time");
}

double edm_time_of_sigma(Family f, double p1, double p2, double sigma) {
  switch (f) {
    case Family::edm: return sched::normal_cdf((std::log(sigma) - p1) / p2);
    case Family::edm_rf: return sigma / (1.0 + sigma);
    case Family::edm_cos: return 2.0 / kPi * std::atan(sigma);
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: break;
  }
  no_such_family("edm_time_of_sigma");
}

}  // namespace

LevelValues Formulation::level(double t) const {
  switch (family_) {
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: return rf_level(t);
    case Family::eps_cos:
    case Family::v_cos: return cos_level(t);
    case Family::eps_linear:
    case Family::v_linear: return ldm_level(sched::ldm_index_of_time(t), ztsnr_);
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: {
      double tc = std::clamp(t, sched::kEdmTimeClamp, 1.0 - sched::kEdmTimeClamp);  // D6
      return edm_level(edm_sigma_of_time(family_, p1_, p2_, tc), tc);
    }
  }
  no_such_family("Formulation::level");
}

// clip: apply the shared grid's σ domain (cosine ≤ 80, EDM [0.002, 80]); LDM always snaps into its table.
LevelValues Formulation::level_from_sigma(double sigma, bool clip) const {
  switch (family_) {
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: return rf_level(std::isinf(sigma) ? 1.0 : sigma / (1.0 + sigma));
    case Family::eps_cos:
    case Family::v_cos:
      if (clip) sigma = std::min(sigma, sched::kSigmaMax);
      return cos_level(std::isinf(sigma) ? 1.0 : 2.0 / kPi * std::atan(sigma));
    case Family::eps_linear:
    case Family::v_linear: return ldm_level(sched::ldm_index_of_sigma(sigma, ztsnr_), ztsnr_);
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos:
      if (clip) sigma = std::clamp(sigma, sched::kSigmaMin, sched::kSigmaMax);
      return edm_level(sigma, edm_time_of_sigma(family_, p1_, p2_, sigma));
  }
  no_such_family("Formulation::level_from_sigma");
}

// The timestep shift σ → α·σ (SPEC §4.6); for RF the same map written in t.
LevelValues Formulation::shifted(const LevelValues& l) const {
  if (alpha_ == 1.0 || l.clean) return l;
  if (is_rf()) return rf_level(sched::shift_time(l.t, alpha_));
  return level_from_sigma(alpha_ * l.sigma, false);
}

Levels Formulation::pack(const std::vector<LevelValues>& v) const {
  const int64_t n = int64_t(v.size());
  auto col = [&](auto get) {
    auto t = torch::empty({n}, torch::kFloat64);
    auto p = t.data_ptr<double>();
    for (int64_t i = 0; i < n; ++i) p[i] = get(v[i]);
    return t.to(torch::kFloat32);
  };
  Levels l;
  l.t = col([](const LevelValues& x) { return x.t; });
  l.a = col([](const LevelValues& x) { return x.a; });
  l.b = col([](const LevelValues& x) { return x.b; });
  l.sigma = col([](const LevelValues& x) { return x.sigma; });
  l.c_t = col([](const LevelValues& x) { return x.c_t; });
  l.c_in = col([](const LevelValues& x) { return x.c_in; });
  l.clean = n > 0;
  for (const auto& x : v) l.clean = l.clean && x.clean;
  return l;
}

Levels Formulation::sample_levels(int64_t batch, torch::Generator gen) const {
  std::vector<LevelValues> v(batch);
  if (family_ == Family::eps_linear || family_ == Family::v_linear) {
    auto k = torch::randint(0, sched::kLdmSteps, {batch}, gen, torch::kLong);
    auto kp = k.data_ptr<int64_t>();
    for (int64_t i = 0; i < batch; ++i) v[i] = shifted(ldm_level(kp[i], ztsnr_));
    return pack(v);
  }
  torch::Tensor draw = family_ == Family::rf_lognorm ? torch::randn({batch}, gen, torch::kFloat64)
                                                     : torch::rand({batch}, gen, torch::kFloat64);
  auto d = draw.data_ptr<double>();
  for (int64_t i = 0; i < batch; ++i) {
    double t = d[i];
    if (family_ == Family::rf_mode) t = sched::mode_map(d[i], p1_);
    else if (family_ == Family::rf_lognorm) t = 1.0 / (1.0 + std::exp(-(p1_ + p2_ * d[i])));
    else if (family_ == Family::rf_cosmap) t = 1.0 - 1.0 / (std::tan(kPi * std::min(d[i], 1.0) / 2.0) + 1.0);
    // edm(Pm, Ps): t ~ U is n = Φ⁻¹(t) ~ N(0, 1) (SPEC §3.5); the D6 clamp is applied in level().
    v[i] = shifted(level(t));
  }
  return pack(v);
}

Levels Formulation::at_time(const torch::Tensor& t) const {
  auto td = t.detach().to(torch::kCPU, torch::kFloat64).contiguous().reshape({-1});
  std::vector<LevelValues> v(td.numel());
  for (int64_t i = 0; i < td.numel(); ++i) v[i] = level(td.data_ptr<double>()[i]);
  return pack(v);
}

Levels Formulation::at_rf_time(const torch::Tensor& t_rf) const {
  auto td = t_rf.detach().to(torch::kCPU, torch::kFloat64).contiguous().reshape({-1});
  std::vector<LevelValues> v(td.numel());
  for (int64_t i = 0; i < td.numel(); ++i) {
    double t = td.data_ptr<double>()[i];
    v[i] = is_rf() ? rf_level(t) : level_from_sigma(t < 1.0 ? t / (1.0 - t) : kInf, true);
  }
  return pack(v);
}

torch::Tensor Formulation::noised(const torch::Tensor& x0, const torch::Tensor& eps, const Levels& l) const {
  return bc(l.a, x0) * x0 + bc(l.b, x0) * eps;
}

torch::Tensor Formulation::net_input(const torch::Tensor& z, const Levels& l) const { return bc(l.c_in, z) * z; }

torch::Tensor Formulation::target(const torch::Tensor& x0, const torch::Tensor& eps, const Levels& l) const {
  switch (family_) {
    case Family::eps_linear:
    case Family::eps_cos: return eps;
    case Family::v_linear:
    case Family::v_cos: return bc(l.a, x0) * eps - bc(l.b, x0) * x0;
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: return eps - x0;
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: {
      // Cancellation-free F target (SPEC §3.5), coefficients in double.
      auto s = l.sigma.to(torch::kFloat64);
      auto root = torch::sqrt(s * s + kSd * kSd);
      return bc(s / (kSd * root), x0) * x0 - bc(kSd / root, x0) * eps;
    }
  }
  no_such_family("Formulation::target");
}

torch::Tensor Formulation::loss_weight(const Levels& l) const {
  if (minsnr_ <= 0) return {};
  auto a = l.a.to(torch::kFloat64), b = l.b.to(torch::kFloat64);
  // eps: min(SNR, γ)/SNR = min(1, γσ²); v: min(SNR, γ)/(SNR + 1) = min(a², γb²) with a² + b² = 1.
  if (family_ == Family::eps_linear || family_ == Family::eps_cos)
    return torch::clamp_max(minsnr_ * (b * b) / (a * a), 1.0);
  return torch::minimum(a * a, minsnr_ * b * b);
}

torch::Tensor Formulation::loss(const torch::Tensor& out, const torch::Tensor& x0, const torch::Tensor& eps,
                                const Levels& l) const {
  auto sq = (out - target(x0, eps, l)).square();
  auto w = loss_weight(l);
  if (w.defined()) sq = sq * bc(w, sq);
  return per_sample_mean(sq);
}

torch::Tensor Formulation::velocity_loss(const torch::Tensor& out, const torch::Tensor& z, const torch::Tensor& x0,
                                         const torch::Tensor& eps, const Levels& l) const {
  auto p = convert(out, z, l);
  return per_sample_mean(((p.eps - p.x0) - (eps - x0)).square());
}

Prediction Formulation::convert(const torch::Tensor& out, const torch::Tensor& z, const Levels& l) const {
  switch (family_) {
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: {
      auto t = bc(l.t, z);
      return {z - t * out, z + (1 - t) * out};
    }
    case Family::eps_linear:
    case Family::eps_cos: return {(z - bc(l.b, z) * out) / bc(l.a, z), out};
    case Family::v_linear:
    case Family::v_cos: {
      auto a = bc(l.a, z), b = bc(l.b, z);
      return {a * z - b * out, b * z + a * out};
    }
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: {
      auto s = l.sigma.to(torch::kFloat64);
      auto s2 = s * s + kSd * kSd;
      auto root = torch::sqrt(s2);
      auto x0 = bc(kSd * kSd / s2, z) * z + bc(s * kSd / root, z) * out;
      auto eps = bc(s / s2, z) * z - bc(kSd / root, z) * out;  // (σz − σ_d√(σ²+σ_d²)F)/(σ²+σ_d²)
      return {x0, eps};
    }
  }
  no_such_family("Formulation::convert");
}

}  // namespace rflab::core
