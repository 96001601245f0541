#include "core/data/shapes/geometry.h"

#include <algorithm>
#include <array>
#include <complex>
#include <utility>
#include <vector>

namespace rflab::shapes {
namespace {

// Offset of the outermost sample from the pixel centre.
constexpr double kSampleReach = 0.5 - 0.5 / kSupersample;

// Whether all samples of the pixel centred at offset (dx, dy) are inside: the four corner
// samples suffice for a convex shape; the cross is the union of two rectangles.
bool all_samples_inside(Shape s, double dx, double dy, double e) {
  const double r = kSampleReach;
  if (s == Shape::cross) {
    const double ax = std::fabs(dx) + r, ay = std::fabs(dy) + r, w = kCrossArm * e;
    return (ax <= w && ay <= e) || (ay <= w && ax <= e);
  }
  return inside(s, dx - r, dy - r, e) && inside(s, dx + r, dy - r, e) && inside(s, dx - r, dy + r, e) &&
         inside(s, dx + r, dy + r, e);
}

// Whether no sample can be inside: the box of the samples misses the bounding square, or (the
// circle) its nearest point is outside the circle.
bool no_sample_inside(Shape s, double dx, double dy, double e) {
  const double nx = std::max(0.0, std::fabs(dx) - kSampleReach), ny = std::max(0.0, std::fabs(dy) - kSampleReach);
  if (nx > e || ny > e) return true;
  return s == Shape::circle && nx * nx + ny * ny > e * e;
}

}  // namespace

double area_factor(Shape s) {
  switch (s) {
    case Shape::circle: return 3.14159265358979323846;
    case Shape::square: return 4.0;
    case Shape::triangle: return 2.0;
    case Shape::cross: return 4.0 * (2.0 * kCrossArm - kCrossArm * kCrossArm);
  }
  return 0.0;
}

double centroid_offset(Shape s) { return s == Shape::triangle ? 1.0 / 3.0 : 0.0; }

HarmonicMoments harmonic_moments(Shape s) {
  // Midpoint rule on an n x n grid over the bounding square [-1, 1]^2: relative error ~1e-4.
  static const std::array<HarmonicMoments, kShapeCount> table = [] {
    std::array<HarmonicMoments, kShapeCount> out{};
    constexpr int n = 600;
    for (Shape shape : kShapes) {
      std::vector<std::pair<double, double>> pts;
      double area = 0.0, mx = 0.0, my = 0.0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          const double x = (j + 0.5) / n * 2 - 1, y = (i + 0.5) / n * 2 - 1;
          if (!inside(shape, x, y, 1.0)) continue;
          pts.emplace_back(x, y);
          area += 1, mx += x, my += y;
        }
      mx /= area, my /= area;
      std::complex<double> c3 = 0, c4 = 0;
      for (const auto& [x, y] : pts) {
        const std::complex<double> z(x - mx, y - my), z2 = z * z;
        c3 += z2 * z, c4 += z2 * z2;
      }
      // Each grid point stands for a cell of area (2/n)^2.
      const double cell = 4.0 / (double(n) * n), a = area * cell;
      out[size_t(shape)] = {c3.imag() * cell / std::pow(a, 2.5), c4.real() * cell / std::pow(a, 3.0)};
    }
    return out;
  }();
  return table[size_t(s)];
}

float coverage(Shape s, double x, double y, double e, int px, int py) {
  const double dx = px + 0.5 - x, dy = py + 0.5 - y;
  if (no_sample_inside(s, dx, dy, e)) return 0.0f;
  if (all_samples_inside(s, dx, dy, e)) return 1.0f;
  int hits = 0;
  for (int i = 0; i < kSupersample; ++i) {
    const double sy = dy - 0.5 + (i + 0.5) / kSupersample;
    for (int j = 0; j < kSupersample; ++j) hits += inside(s, dx - 0.5 + (j + 0.5) / kSupersample, sy, e);
  }
  return static_cast<float>(hits) / (kSupersample * kSupersample);
}

}  // namespace rflab::shapes
