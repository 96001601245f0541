// Labels of crowded points are placed apart: no two labels' boxes overlap and none covers another
// point; a lone label keeps its place right of its point, half a line up.
#include "reports/label_placement.h"

#include <gtest/gtest.h>

namespace rflab::reports {
namespace {

constexpr double kW = 7.5, kH = 17;

struct Box {
  double x0, x1, y0, y1;
};

// The text's box as gnuplot draws it for a place: the geometry place_labels assumes.
Box box_of(const LabelledPoint& p, const LabelPlace& l) {
  const double width = static_cast<double>(p.chars) * kW, gap = kLabelGap * kW, mid = p.y + l.dy * kH;
  const double x0 = l.left ? p.x - gap - width : p.x + gap;
  return {x0, x0 + width, mid - 0.45 * kH, mid + 0.45 * kH};
}

bool overlap(const Box& a, const Box& b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

TEST(LabelPlacement, ALoneLabelSitsRightOfItsPointHalfALineUp) {
  const auto places = place_labels({{100, 100, 12}}, kW, kH, 400, 300);
  ASSERT_EQ(places.size(), 1u);
  EXPECT_FALSE(places[0].left);
  EXPECT_DOUBLE_EQ(places[0].dy, kLabelRise);
  EXPECT_FALSE(places[0].moved);
}

TEST(LabelPlacement, CrowdedLabelsDoNotOverlapEachOtherOrThePoints) {
  // Five points within 12 pixels of one another (the S3 Pareto front of the quick study), and two
  // far away.
  const std::vector<LabelledPoint> points = {{200, 60, 9},  {204, 58, 26}, {207, 63, 16}, {202, 52, 13},
                                             {210, 61, 11}, {20, 250, 15}, {150, 120, 20}};
  const auto places = place_labels(points, kW, kH, 400, 300);
  ASSERT_EQ(places.size(), points.size());
  int moved = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    moved += places[i].moved;
    const Box b = box_of(points[i], places[i]);
    EXPECT_TRUE(b.x0 >= 0 && b.x1 <= 400 && b.y0 >= 0 && b.y1 <= 300) << "label " << i << " leaves the frame";
    for (size_t j = 0; j < points.size(); ++j) {
      if (j == i) continue;
      EXPECT_FALSE(overlap(b, box_of(points[j], places[j]))) << i << " and " << j;
      EXPECT_FALSE(overlap(b, {points[j].x - 5, points[j].x + 5, points[j].y - 5, points[j].y + 5}))
          << "label " << i << " covers point " << j;
    }
  }
  EXPECT_GE(moved, 3);
  // The far points keep the lone place.
  for (size_t i : {5, 6}) {
    EXPECT_FALSE(places[i].left) << i;
    EXPECT_DOUBLE_EQ(places[i].dy, kLabelRise) << i;
  }
}

TEST(LabelPlacement, ALabelOverAnotherPointMovesOffIt) {
  // The second point sits where the first's label would start.
  const std::vector<LabelledPoint> points = {{100, 100, 10}, {112, 106, 4}};
  const auto places = place_labels(points, kW, kH, 400, 300);
  EXPECT_FALSE(overlap(box_of(points[0], places[0]), {107, 117, 101, 111}));
  EXPECT_TRUE(places[0].moved || places[0].left);
}

TEST(LabelPlacement, ALabelAtTheFramesEdgeGoesInside) {
  // A point near the right edge: its label goes to the left; one near the top: below its line.
  const auto right = place_labels({{390, 100, 10}}, kW, kH, 400, 300);
  EXPECT_TRUE(right[0].left);
  const auto top = place_labels({{100, 298, 10}}, kW, kH, 400, 300);
  EXPECT_LT(top[0].dy, 0.0);
  EXPECT_LE(box_of({100, 298, 10}, top[0]).y1, 300.0);
}

TEST(LabelPlacement, LabelsKeepOffReservedRegions) {
  // A note's box in the top right corner, where the label would go.
  const std::vector<Reserved> note = {{250, 400, 260, 300}};
  const LabelledPoint p{240, 270, 10};
  const auto places = place_labels({p}, kW, kH, 400, 300, note);
  EXPECT_FALSE(overlap(box_of(p, places[0]), {250, 400, 260, 300}));
  EXPECT_TRUE(places[0].moved || places[0].left);
}

}  // namespace
}  // namespace rflab::reports
