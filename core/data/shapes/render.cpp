#include "core/data/shapes/render.h"

#include <algorithm>
#include <cmath>

#include "core/data/shapes/geometry.h"

namespace rflab::shapes {

void render(const Scene& scene, float* hwc) {
  std::fill(hwc, hwc + kImageValues, scene.background);
  for (const Object& o : scene.objects) {
    const double e = half_extent(o.size);
    const Rgb c = palette(o.colour);
    // Only the pixels the bounding square touches can be covered.
    const int x0 = std::max(0, static_cast<int>(std::floor(o.x - e))),
              x1 = std::min(kImageSize - 1, static_cast<int>(std::floor(o.x + e)));
    const int y0 = std::max(0, static_cast<int>(std::floor(o.y - e))),
              y1 = std::min(kImageSize - 1, static_cast<int>(std::floor(o.y + e)));
    for (int py = y0; py <= y1; ++py)
      for (int px = x0; px <= x1; ++px) {
        const float a = coverage(o.shape, o.x, o.y, e, px, py);
        if (a == 0.0f) continue;
        float* p = hwc + (py * kImageSize + px) * 3;
        p[0] += a * (c.r - p[0]);
        p[1] += a * (c.g - p[1]);
        p[2] += a * (c.b - p[2]);
      }
  }
}

std::vector<float> render(const Scene& scene) {
  std::vector<float> out(kImageValues);
  render(scene, out.data());
  return out;
}

std::vector<uint8_t> to_uint8(const std::vector<float>& image) {
  std::vector<uint8_t> out(image.size());
  for (size_t i = 0; i < image.size(); ++i)
    out[i] = static_cast<uint8_t>(std::lround(std::clamp(image[i], 0.0f, 1.0f) * 255.0f));
  return out;
}

std::vector<float> from_uint8(const uint8_t* pixels, size_t count) {
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = pixels[i] / 255.0f;
  return out;
}

}  // namespace rflab::shapes
