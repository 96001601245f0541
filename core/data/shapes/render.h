// Rendering of a Scene to a 32x32 RGB image. Layout: HWC float, row-major, pixel (x, y) channel c
// at (y * 32 + x) * 3 + c, values in [0, 1] — the layout of a PNG's pixels, so to_uint8 and
// from_uint8 convert without reordering. Edges are antialiased: each pixel takes the colour of
// each shape weighted by the fraction of its 4x4 samples the shape covers (geometry.h).
#pragma once
#include <cstdint>
#include <vector>

#include "core/data/shapes/scene.h"

namespace rflab::shapes {

constexpr int kImageValues = kImageSize * kImageSize * 3;

// Writes kImageValues floats to `hwc`.
void render(const Scene& scene, float* hwc);
std::vector<float> render(const Scene& scene);

// round(clamp(v, 0, 1) * 255), elementwise.
std::vector<uint8_t> to_uint8(const std::vector<float>& image);
// v / 255, elementwise.
std::vector<float> from_uint8(const uint8_t* pixels, size_t count);

}  // namespace rflab::shapes
