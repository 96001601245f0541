// The two non-finite doubles the reports write: NaN for "no value" (a diverged run, a fit
// without enough points) and infinity for unbounded ends of intervals and ranges.
#pragma once
#include <limits>

namespace rflab::reports {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace rflab::reports
