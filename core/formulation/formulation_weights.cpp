// The unified view of SPEC §1.3: log-SNR, its derivative, the training density π(t) and the
// weight w_t = −2·π(t)·c(t)/λ'(t), where c(t) converts the family's loss to ‖ε̂ − ε‖².
// These describe the unshifted family (α = 1) in native time.
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"

namespace rflab::core {
namespace {
using sched::kPi;

double ldm_log_snr(int64_t k, bool ztsnr) {
  double ab = sched::ldm_alphabar(ztsnr)[k];
  return ab <= 0 ? -std::numeric_limits<double>::infinity() : std::log(ab / (1.0 - ab));
}
}  // namespace

double Formulation::log_snr(double t) const {
  LevelValues l = level(t);
  if (family_ == Family::eps_linear || family_ == Family::v_linear)
    return ldm_log_snr(sched::ldm_index_of_time(t), ztsnr_);
  if (is_rf()) return 2.0 * std::log((1.0 - t) / t);
  return 2.0 * (std::log(l.a) - std::log(l.b));
}

double Formulation::dlog_snr_dt(double t) const {
  switch (family_) {
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap:
    case Family::edm_rf: {
      if (family_ == Family::edm_rf) t = level(t).t;  // D6 clamp
      return -2.0 / (t * (1.0 - t));
    }
    case Family::eps_cos:
    case Family::v_cos:
    case Family::edm_cos: {
      if (family_ == Family::edm_cos) t = level(t).t;
      return -2.0 * kPi / std::sin(kPi * t);
    }
    case Family::edm: {
      double n = sched::normal_icdf(level(t).t);
      return -2.0 * p2_ / sched::normal_pdf(n);
    }
    case Family::eps_linear:
    case Family::v_linear: {
      // Discrete table: central difference over neighbouring indices, Δt = 1/T.
      const int64_t k = sched::ldm_index_of_time(t), last = sched::kLdmSteps - 1;
      int64_t lo = std::max<int64_t>(0, k - 1), hi = std::min(last, k + 1);
      if (ztsnr_ && hi == last && lo < last) hi = last - 1, lo = std::min(lo, hi - 1);
      return (ldm_log_snr(hi, ztsnr_) - ldm_log_snr(lo, ztsnr_)) * double(sched::kLdmSteps) / double(hi - lo);
    }
  }
  throw std::logic_error("Formulation::dlog_snr_dt: formulation family out of range");
}

double Formulation::density(double t) const {
  switch (family_) {
    case Family::rf_mode: return p1_ == 0.0 ? 1.0 : sched::mode_density(t, p1_);
    case Family::rf_lognorm: {
      double x = (std::log(t / (1.0 - t)) - p1_) / p2_;
      return std::exp(-0.5 * x * x) / (p2_ * std::sqrt(2.0 * kPi) * t * (1.0 - t));
    }
    case Family::rf_cosmap: return 2.0 / (kPi - 2.0 * kPi * t + 2.0 * kPi * t * t);
    // Cosine and LDM draw t (or k) uniformly; EDM's native t is uniform by definition.
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: return 1.0;
  }
  throw std::logic_error("Formulation::density: formulation family out of range");
}

double Formulation::weight(double t) const {
  const LevelValues l = level(t);
  const double s2 = l.sigma * l.sigma;
  double c = 0;  // converts the family's per-element loss to ‖ε̂ − ε‖²
  switch (family_) {
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap: return t / (1.0 - t) * density(t);  // c = 1/(1−t)², λ' = −2/(t(1−t))
    case Family::eps_linear:
    case Family::eps_cos: c = minsnr_ > 0 ? std::min(1.0, minsnr_ * s2) : 1.0; break;
    case Family::v_linear:
    case Family::v_cos: {
      // ‖v̂ − v‖² = (1 + σ²)‖ε̂ − ε‖²; min-SNR multiplies by min(a², γb²).
      c = 1.0 + s2;
      if (minsnr_ > 0) c *= std::min(l.a * l.a, minsnr_ * l.b * l.b);
      break;
    }
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: {
      const double sd2 = sched::kEdmSigmaData * sched::kEdmSigmaData;
      c = (s2 + sd2) / sd2;  // λ(σ)·σ² with ε̂ − ε = −(D − x0)/σ
      break;
    }
  }
  return -2.0 * density(t) * c / dlog_snr_dt(t);
}

}  // namespace rflab::core
