// The compute-efficient frontier of a scaling study: over the loss curves of all depths, the
// lower envelope of loss against training FLOPs — which depth gives the lowest loss reached so
// far for a given budget.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace rflab::reports {

struct FrontierPoint {
  double flops = 0;
  double loss = 0;
  int64_t depth = 0;
};

struct LossCurve {
  int64_t depth = 0;
  std::vector<std::pair<double, double>> points;  // (training FLOPs, validation loss)
};

// The points no other point beats: p is kept when no point with flops <= p.flops has a
// strictly lower loss, i.e. where the running minimum of loss over increasing FLOPs is attained
// (ties in loss are all kept). Sorted by (flops, loss, depth). A non-finite loss (a diverged
// run) is never on the frontier. Throws std::invalid_argument on negative or non-finite FLOPs.
std::vector<FrontierPoint> compute_frontier(const std::vector<LossCurve>& curves);

}  // namespace rflab::reports
