// Standard normal draws for the reports' tests from the platform-independent Resampler, by
// Box–Muller (std distributions differ across standard libraries, the Resampler does not).
#pragma once
#include <cmath>

#include "reports/bootstrap.h"

namespace rflab::testing {

// Uniform in (0, 1) from the top 53 bits, never 0, so that log u is finite.
inline double uniform_open(reports::Resampler& rng) {
  return (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1p-53;
}

inline double standard_normal(reports::Resampler& rng) {
  const double u1 = uniform_open(rng), u2 = uniform_open(rng);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::acos(-1.0) * u2);
}

}  // namespace rflab::testing
