// Non-dominated sorting of one control setting (SPEC §6, paper §5.1): repeatedly take the variants
// that are Pareto-optimal in (CLIP score up, FID down), give them the current front index, remove
// them, continue. Identical points never dominate each other, so they share a front; points with a
// non-finite coordinate (a diverged run) all go to one front after the last finite one. Stored
// doubles are compared exactly, with no tolerance.
#pragma once
#include <vector>

namespace rflab::reports {

struct ParetoPoint {
  double clip = 0;  // higher is better
  double fid = 0;   // lower is better
};

bool dominates(const ParetoPoint& p, const ParetoPoint& q);

// Front index (1 = the Pareto front) of every point, in input order.
std::vector<int> non_dominated_sort(const std::vector<ParetoPoint>& points);

}  // namespace rflab::reports
