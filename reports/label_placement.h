// Where the text beside each labelled point of a scatter plot goes, so that labels stay off one
// another, off the other points and inside the frame where the points crowd (the Pareto fronts of formulations
// whose scores differ in the second decimal). Each label starts just right of its point, half a
// line up, as a lone label sits; a label that would overlap one placed before it (or another
// point) moves up or down by whole lines, then to the left of its point, taking the nearest free
// place; a label moved off its own line gets a leader line to its point (reports/plot.cpp).
//
// Geometry is in pixels of the plot area and in gnuplot's character units (a character's width,
// a line's height): the placement needs only the points' pixel positions and the labels' lengths.
#pragma once
#include <cstddef>
#include <vector>

namespace rflab::reports {

struct LabelledPoint {
  double x = 0, y = 0;  // the point in pixels of the plot area, y up
  size_t chars = 0;     // the label's length in characters
};

struct LabelPlace {
  bool left = false;  // the text ends left of the point (else it starts right of it)
  double dy = 0;      // the text's vertical offset from the point, in lines (up is positive)
  bool moved = false; // off its own line: draw a leader line
};

// Horizontal gap between a point and its label, and the lone label's vertical offset, in
// character units (gnuplot's `offset character`).
constexpr double kLabelGap = 0.6, kLabelRise = 0.4;

// A region of the plot area, in pixels, that labels keep off (a note's box).
struct Reserved {
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
};

// Places the labels in the points' order of height (highest first), each inside the plot area
// [0, width] x [0, height] and off the reserved regions where it can be; char_width and
// line_height in pixels. Returns one place per point, in the points' order.
std::vector<LabelPlace> place_labels(const std::vector<LabelledPoint>& points, double char_width, double line_height,
                                     double width, double height, const std::vector<Reserved>& reserved = {});

}  // namespace rflab::reports
