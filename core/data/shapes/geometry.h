// The ideal geometry of the four shapes: the point-inside test, the pixel coverage the renderer
// draws with (4x4 supersampling) and the constants the detector fits with (area and centroid in
// units of the half-extent). One definition, so the renderer and the detector's templates agree.
#pragma once
#include <cmath>

#include "core/data/shapes/scene.h"

namespace rflab::shapes {

// Samples per pixel along each axis: a pixel's coverage is the fraction of its 4x4 samples,
// placed at (i + 0.5) / 4, that fall inside the shape.
constexpr int kSupersample = 4;

// Half the arm width of the cross, as a fraction of its half-extent: arms 1/3 of its width.
constexpr double kCrossArm = 1.0 / 3.0;

// Whether the offset (dx, dy) from the centre of the bounding square (y down) lies inside the
// shape of half-extent e. The triangle points up: apex (0, -e), base from (-e, e) to (e, e).
inline bool inside(Shape s, double dx, double dy, double e) {
  switch (s) {
    case Shape::circle: return dx * dx + dy * dy <= e * e;
    case Shape::square: return std::fabs(dx) <= e && std::fabs(dy) <= e;
    case Shape::triangle: return dy >= -e && dy <= e && 2.0 * std::fabs(dx) <= dy + e;
    case Shape::cross: {
      const double ax = std::fabs(dx), ay = std::fabs(dy), w = kCrossArm * e;
      return (ax <= w && ay <= e) || (ay <= w && ax <= e);
    }
  }
  return false;
}

// Area / e^2 of the ideal shape: square 4, circle pi, triangle 2, cross 4(2w - w^2) with w = 1/3.
double area_factor(Shape s);

// y of the shape's centre of mass minus y of the centre of its bounding square, / e (the
// triangle's lies e/3 below; the others are symmetric).
double centroid_offset(Shape s);

// The shape's 3-fold and 4-fold harmonic moments about its centroid (complex z = dx + i dy, y
// down), scale-free: m3 = Im sum z^3 / A^2.5, m4 = Re sum z^4 / A^3 (the other parts vanish by
// the mirror symmetry in x). Circle (0, 0), square (0, -1/60), cross (0, +0.031), triangle
// (+0.068, +0.002). A centred isotropic blur adds nothing to sum z^3 and sum z^4 and keeps A,
// which is why the detector names shapes by them. Integrated numerically from inside(), once.
struct HarmonicMoments {
  double m3, m4;
};
HarmonicMoments harmonic_moments(Shape s);

// Fraction of pixel [px, px+1) x [py, py+1) covered by shape s centred at (x, y) with half-extent
// e, from kSupersample^2 samples; pixels wholly inside or outside are decided without sampling,
// with the same result sampling would give.
float coverage(Shape s, double x, double y, double e, int px, int py);

}  // namespace rflab::shapes
