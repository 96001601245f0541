#include "reports/label_placement.h"

#include <algorithm>
#include <numeric>

namespace rflab::reports {

namespace {

struct Box {
  double x0, x1, y0, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// The radius of a point's marker in pixels (pt 7, ps 1.1), with a little air.
constexpr double kMarker = 5.0;
// Lines a label may move up or down before it goes to the other side.
constexpr int kMaxShift = 8;

Box text_box(const LabelledPoint& p, bool left, double dy, double cw, double lh) {
  const double width = static_cast<double>(p.chars) * cw, gap = kLabelGap * cw, mid = p.y + dy * lh;
  const double x0 = left ? p.x - gap - width : p.x + gap;
  return {x0, x0 + width, mid - 0.45 * lh, mid + 0.45 * lh};
}

}  // namespace

std::vector<LabelPlace> place_labels(const std::vector<LabelledPoint>& points, double cw, double lh, double width,
                                     double height, const std::vector<Reserved>& reserved) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a].y > points[b].y; });
  std::vector<Box> markers;
  for (const auto& p : points) markers.push_back({p.x - kMarker, p.x + kMarker, p.y - kMarker, p.y + kMarker});
  std::vector<Box> placed;
  for (const auto& r : reserved) placed.push_back({r.x0, r.x1, r.y0, r.y1});
  std::vector<LabelPlace> out(points.size());
  for (size_t i : order) {
    auto free = [&](const Box& b) {
      if (b.x0 < 0 || b.x1 > width || b.y0 < 0 || b.y1 > height) return false;
      for (const auto& o : placed)
        if (b.overlaps(o)) return false;
      for (size_t j = 0; j < markers.size(); ++j)
        if (j != i && b.overlaps(markers[j])) return false;
      return true;
    };
    LabelPlace best{false, kLabelRise, false};
    bool found = false;
    for (bool left : {false, true}) {
      for (int k = 0; k <= 2 * kMaxShift && !found; ++k) {
        // 0, −1, +1, −2, +2, ...: down first, as labels are placed from the highest point.
        const int shift = k % 2 ? -(k + 1) / 2 : k / 2;
        const double dy = kLabelRise + 1.1 * shift;
        if (free(text_box(points[i], left, dy, cw, lh))) best = {left, dy, shift != 0}, found = true;
      }
      if (found) break;
    }
    out[i] = best;  // where nothing is free, the lone label's place
    placed.push_back(text_box(points[i], best.left, best.dy, cw, lh));
  }
  return out;
}

}  // namespace rflab::reports
