// Scalar schedule and density primitives shared by the families (SPEC §3): the LDM ᾱ table, the
// mode map, the normal CDF and its inverse, the Karras σ grid and the timestep shift.
#pragma once
#include <cstdint>
#include <vector>

namespace rflab::core::sched {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kLdmSteps = 1000;        // T
constexpr double kEdmSigmaData = 0.5;      // σ_d
constexpr double kSigmaMax = 80.0;         // Karras / cosine grid top
constexpr double kSigmaMin = 0.002;        // Karras grid bottom
constexpr double kKarrasRho = 7.0;
constexpr double kEdmTimeClamp = 1e-5;     // D6
double mode_scale_max();                   // 2/(π−2), the mode map's validity limit

// ᾱ_k, k = 0…T−1, in double; ztsnr rescales √ᾱ so that ᾱ_{T−1} = 0 (Lin et al. 2023).
const std::vector<double>& ldm_alphabar(bool ztsnr);
// Nearest index in ln σ within the table (σ clipped to its range; σ = ∞ gives T−1).
int64_t ldm_index_of_sigma(double sigma, bool ztsnr);
// k(t) = clamp(⌈tT⌉ − 1, 0, T−1), tolerant of float32 round-off in t (D4).
int64_t ldm_index_of_time(double t);

double mode_map(double u, double s);          // f_mode(u; s), decreasing
double mode_map_inverse(double t, double s);  // u with f_mode(u) = t (bisection)
double mode_density(double t, double s);      // π_mode(t; s)

double normal_cdf(double x);
double normal_pdf(double x);
double normal_icdf(double p);  // Φ⁻¹, p in (0,1)

double karras_sigma(int64_t i, int64_t n);  // σ_i for i < n (n ≥ 1)
double shift_time(double t, double alpha);  // t_m = αt/(1 + (α−1)t)

}  // namespace rflab::core::sched
