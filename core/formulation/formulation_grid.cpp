// Sampling grids (SPEC §4.3, D8): native per-family grids and the shared RF grid, shift applied
// once before clipping, consecutive identical levels merged.
#include <cmath>
#include <limits>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"
#include "results/error.h"

namespace rflab::core {

std::vector<LevelValues> Formulation::grid_values(int64_t steps, GridMode mode) const {
  if (steps < 1) throw UserError("steps: expected an integer >= 1, got " + std::to_string(steps));
  const double inf = std::numeric_limits<double>::infinity();
  const double n = double(steps);
  std::vector<LevelValues> out;
  for (int64_t i = 0; i < steps; ++i) {
    const double frac = double(steps - i) / n;  // 1 − i/N without accumulated round-off
    LevelValues l;
    if (is_rf()) {
      l = level(sched::shift_time(frac, alpha_));  // native and shared coincide for RF
    } else if (mode == GridMode::shared) {
      double t = sched::shift_time(frac, alpha_);
      l = level_from_sigma(t < 1.0 ? t / (1.0 - t) : inf, true);
    } else if (family() == Family::eps_cos || family() == Family::v_cos) {
      // Uniform in t from t_max = (2/π)·atan(80) (D5).
      double t = 2.0 / sched::kPi * std::atan(sched::kSigmaMax) * frac;
      l = alpha_ == 1.0 ? level(t) : level_from_sigma(alpha_ * level(t).sigma, true);
    } else if (family() == Family::eps_linear || family() == Family::v_linear) {
      // Trailing spacing: k_i = T·t_i − 1, rounded when T/N is not an integer.
      int64_t k = std::max<int64_t>(0, std::llround(double(sched::kLdmSteps) * frac) - 1);
      l = level((double(k) + 1.0) / double(sched::kLdmSteps));
      if (alpha_ != 1.0) l = level_from_sigma(alpha_ * l.sigma, true);
    } else {
      l = level_from_sigma(alpha_ * sched::karras_sigma(i, steps), true);  // Karras ρ = 7
    }
    out.push_back(l);
  }
  LevelValues clean;
  clean.clean = true;
  out.push_back(clean);
  // Merge consecutive identical levels: a zero-length step makes no network call.
  std::vector<LevelValues> merged;
  for (const auto& l : out)
    if (merged.empty() || merged.back().t != l.t || merged.back().sigma != l.sigma || merged.back().clean != l.clean)
      merged.push_back(l);
  return merged;
}

std::vector<Levels> Formulation::grid(int64_t steps, GridMode mode) const {
  std::vector<Levels> g;
  for (const auto& l : grid_values(steps, mode)) g.push_back(pack({l}));
  return g;
}

}  // namespace rflab::core
