#include "reports/seed_mean.h"

#include <cmath>
#include <stdexcept>

#include "reports/welch.h"

namespace rflab::reports {

SeedMean seed_mean(const std::vector<double>& values, double level) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument("seed_mean: level must lie in (0, 1)");
  SeedMean out;
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  out.k = static_cast<int>(v.size());
  if (v.empty()) return out;
  const double k = static_cast<double>(v.size());
  double sum = 0;
  for (double x : v) sum += x;
  out.mean = sum / k;
  if (v.size() < 2) return out;
  double ss = 0;
  for (double x : v) ss += (x - out.mean) * (x - out.mean);
  const double half = student_t_quantile((1 + level) / 2, k - 1) * std::sqrt(ss / (k - 1)) / std::sqrt(k);
  out.ci = {out.mean - half, out.mean + half};
  return out;
}

}  // namespace rflab::reports
