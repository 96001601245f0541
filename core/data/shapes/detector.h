// An exact, non-learned detector of the shapes in a 32x32 RGB image (render.h's layout). It
// explains each pixel as the background grey mixed with at most two palette colours, finds the
// 8-connected regions where one colour covers at least half a pixel, and names each region's
// shape by the 3-fold and 4-fold harmonic moments of its coverage about the centroid, which a
// blur leaves unchanged (geometry.h): the ideal shape with the nearest moments wins. Its size and
// centre are those of the ideal shape with the region's area and centroid. No weights are
// learned; every constant is a stated tolerance or computed from the ideal geometry.
#pragma once
#include <vector>

#include "core/data/shapes/scene.h"

namespace rflab::shapes {

struct DetectedObject {
  Shape shape;
  Colour colour;
  Size size;
  double x, y;         // centre of the fitted bounding square (as Object::x, y)
  double area;         // soft area, pixels (coverage summed over the region)
  double half_extent;  // of the fitted shape, pixels
  double mismatch;     // sum |coverage - ideal shape's coverage| / area: ~0 clean, larger when blurred
};

// Tolerances. A pixel belongs to a colour's region when that colour covers >= kRegionCoverage of
// it; a region is an object when its soft area is >= kMinArea px (the smallest object, a small
// triangle, has 32); a fit with half-extent below kSizeThreshold (midway between 4 and 6.5) is
// small. A pixel the mixture model leaves further than kMaxResidual (RGB distance) from its value
// is explained by nothing and counts as background.
constexpr double kRegionCoverage = 0.5, kMinArea = 12.0, kSizeThreshold = 5.25, kMaxResidual = 0.3;

// Objects in `hwc` (kImageValues floats, values in [0,1]), ordered by x, then y.
std::vector<DetectedObject> detect(const float* hwc);
std::vector<DetectedObject> detect(const std::vector<float>& hwc);

// The background grey the detector estimates: the per-channel median of the pixels that are
// unsaturated and far from every palette colour; 0.25 when fewer than 32 such pixels exist.
Rgb estimate_background(const float* hwc);

// Whether `found` is exactly the scene's objects: a one-to-one matching in which every pair has
// the same shape, colour and size and centres within `tolerance` pixels.
bool recovers(const Scene& scene, const std::vector<DetectedObject>& found, double tolerance = 1.0);

}  // namespace rflab::shapes
