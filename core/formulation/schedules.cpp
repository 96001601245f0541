#include "core/formulation/schedules.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "results/formulation_name.h"

namespace rflab::core::sched {

double mode_scale_max() { return results::mode_scale_max(); }  // one definition, beside the name rules

const std::vector<double>& ldm_alphabar(bool ztsnr) {
  static const std::vector<double> plain = [] {
    const double b0 = std::sqrt(0.00085), b1 = std::sqrt(0.012);
    std::vector<double> ab(kLdmSteps);
    double prod = 1.0;
    for (int64_t j = 0; j < kLdmSteps; ++j) {
      double beta = b0 + double(j) / double(kLdmSteps - 1) * (b1 - b0);
      prod *= 1.0 - beta * beta;
      ab[j] = prod;
    }
    return ab;
  }();
  static const std::vector<double> rescaled = [] {
    std::vector<double> ab(kLdmSteps);
    const double s0 = std::sqrt(plain.front()), sT = std::sqrt(plain.back());
    for (int64_t k = 0; k < kLdmSteps; ++k) {
      double s = (std::sqrt(plain[k]) - sT) * s0 / (s0 - sT);
      ab[k] = s * s;
    }
    ab.back() = 0.0;
    return ab;
  }();
  return ztsnr ? rescaled : plain;
}

int64_t ldm_index_of_sigma(double sigma, bool ztsnr) {
  const auto& ab = ldm_alphabar(ztsnr);
  if (std::isnan(sigma)) throw std::logic_error("ldm_index_of_sigma: NaN sigma");
  if (sigma == std::numeric_limits<double>::infinity()) return kLdmSteps - 1;
  auto log_sigma = [&](int64_t k) {
    return ab[k] <= 0.0 ? std::numeric_limits<double>::infinity() : 0.5 * std::log((1.0 - ab[k]) / ab[k]);
  };
  if (sigma <= 0.0) return 0;
  const double ls = std::log(sigma);
  // σ_k increases with k: binary search for the first k with ln σ_k >= ls.
  int64_t lo = 0, hi = kLdmSteps - 1;
  if (ls <= log_sigma(0)) return 0;
  if (ls >= log_sigma(hi)) return hi;
  while (hi - lo > 1) {
    int64_t mid = (lo + hi) / 2;
    (log_sigma(mid) >= ls ? hi : lo) = mid;
  }
  // Ties go to the smaller index (the lower noise level).
  return (ls - log_sigma(lo) <= log_sigma(hi) - ls) ? lo : hi;
}

int64_t ldm_index_of_time(double t) {
  // Grid times (k+1)/T reach us as float32; 1e-3 index units absorbs that round-off.
  double k = std::ceil(t * double(kLdmSteps) - 1e-3) - 1.0;
  return int64_t(std::clamp(k, 0.0, double(kLdmSteps - 1)));
}

double mode_map(double u, double s) {
  double c = std::cos(kPi * u / 2.0);
  return 1.0 - u - s * (c * c - 1.0 + u);
}

double mode_map_inverse(double t, double s) {
  double lo = 0.0, hi = 1.0;  // f is decreasing: f(lo) >= t >= f(hi)
  for (int i = 0; i < 200 && hi - lo > 1e-16; ++i) {
    double mid = 0.5 * (lo + hi);
    (mode_map(mid, s) > t ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double mode_density(double t, double s) {
  double u = mode_map_inverse(t, s);
  return 1.0 / std::abs(1.0 + s - s * kPi / 2.0 * std::sin(kPi * u));
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }

double normal_icdf(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    throw std::logic_error("normal_icdf: p outside [0,1]");
  }
  // Acklam's rational approximation, then two Newton steps on erfc for full double precision.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  for (int i = 0; i < 2; ++i) {
    double e = normal_cdf(x) - p;
    double pdf = normal_pdf(x);
    if (pdf <= 0) break;
    x -= e / pdf;
  }
  return x;
}

double karras_sigma(int64_t i, int64_t n) {
  if (n <= 1) return kSigmaMax;
  const double hi = std::pow(kSigmaMax, 1.0 / kKarrasRho), lo = std::pow(kSigmaMin, 1.0 / kKarrasRho);
  return std::pow(hi + double(i) / double(n - 1) * (lo - hi), kKarrasRho);
}

double shift_time(double t, double alpha) { return alpha * t / (1.0 + (alpha - 1.0) * t); }

}  // namespace rflab::core::sched
