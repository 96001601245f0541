#include "reports/frontier.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

namespace rflab::reports {

std::vector<FrontierPoint> compute_frontier(const std::vector<LossCurve>& curves) {
  std::vector<FrontierPoint> all;
  for (const auto& curve : curves)
    for (const auto& [flops, loss] : curve.points) {
      if (!(std::isfinite(flops) && flops >= 0))
        throw std::invalid_argument(
            fmt::format("frontier: depth {} has a point at flops = {}; flops must be finite and >= 0", curve.depth, flops));
      if (std::isfinite(loss)) all.push_back({flops, loss, curve.depth});
    }
  // Within equal FLOPs the lowest loss comes first, so a higher loss at the same budget fails
  // the running-minimum test below and ties survive it.
  std::sort(all.begin(), all.end(), [](const FrontierPoint& p, const FrontierPoint& q) {
    return std::tie(p.flops, p.loss, p.depth) < std::tie(q.flops, q.loss, q.depth);
  });
  std::vector<FrontierPoint> frontier;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : all)
    if (p.loss <= best) {
      best = p.loss;
      frontier.push_back(p);
    }
  return frontier;
}

}  // namespace rflab::reports
