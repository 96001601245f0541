#include "reports/non_dominated_sort.h"

#include <cmath>

namespace rflab::reports {

bool dominates(const ParetoPoint& p, const ParetoPoint& q) {
  return p.clip >= q.clip && p.fid <= q.fid && (p.clip > q.clip || p.fid < q.fid);
}

std::vector<int> non_dominated_sort(const std::vector<ParetoPoint>& points) {
  const size_t n = points.size();
  std::vector<int> rank(n, 0);
  std::vector<size_t> remaining;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(points[i].clip) && std::isfinite(points[i].fid)) remaining.push_back(i);
  int front = 1;
  while (!remaining.empty()) {
    std::vector<size_t> rest;
    for (size_t a : remaining) {
      bool dominated = false;
      for (size_t b : remaining)
        if (dominates(points[b], points[a])) {
          dominated = true;
          break;
        }
      if (dominated) rest.push_back(a);
      else rank[a] = front;
    }
    remaining.swap(rest);
    ++front;
  }
  for (size_t i = 0; i < n; ++i)
    if (rank[i] == 0) rank[i] = front;  // non-finite: the front after the last finite one
  return rank;
}

}  // namespace rflab::reports
