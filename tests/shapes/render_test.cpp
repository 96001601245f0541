// Rendering: deterministic to the byte, antialiased coverage that matches the ideal areas, and
// the 8-bit conversion.
#include <gtest/gtest.h>

#include <cmath>

#include "core/data/shapes/geometry.h"
#include "core/data/shapes/render.h"

namespace rflab::shapes {
namespace {

TEST(ShapesRender, ByteIdenticalForTheSameSceneDifferentForAnother) {
  for (int64_t i : {0, 5, 99}) {
    const auto a = to_uint8(render(scene_at(3, i))), b = to_uint8(render(scene_at(3, i)));
    EXPECT_EQ(a, b) << i;
    EXPECT_EQ(render(scene_at(3, i)), render(scene_at(3, i))) << i;
    EXPECT_NE(a, to_uint8(render(scene_at(3, i + 1)))) << i;
  }
}

TEST(ShapesRender, LayoutIsHwcInUnitRange) {
  Scene s;
  s.background = 0.25f;
  s.objects.push_back({Shape::square, Colour::red, Size::large, 8.0, 20.0});
  const auto img = render(s);
  ASSERT_EQ(img.size(), size_t(kImageValues));
  for (float v : img) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
  // Pixel (x 8, y 20) is inside the square: red; (x 20, y 8) is background.
  const Rgb red = palette(Colour::red);
  EXPECT_FLOAT_EQ(img[(20 * kImageSize + 8) * 3 + 0], red.r);
  EXPECT_FLOAT_EQ(img[(20 * kImageSize + 8) * 3 + 1], red.g);
  EXPECT_FLOAT_EQ(img[(8 * kImageSize + 20) * 3 + 0], 0.25f);
}

// The coverage summed over the image is the shape's ideal area to within the 4x4 sampling error.
TEST(ShapesRender, CoverageSumsToTheIdealArea) {
  for (Shape s : kShapes)
    for (Size z : kSizes)
      for (double off : {0.0, 0.3, 0.55}) {
        const double e = half_extent(z), x = 16.0 + off, y = 15.0 + 0.7 * off;
        double sum = 0.0;
        for (int py = 0; py < kImageSize; ++py)
          for (int px = 0; px < kImageSize; ++px) sum += coverage(s, x, y, e, px, py);
        const double ideal = area_factor(s) * e * e;
        EXPECT_NEAR(sum, ideal, 0.04 * ideal + 1.0) << shape_name(s) << " " << size_name(z) << " " << off;
      }
}

// The early-outs of coverage() give what sampling every pixel would.
TEST(ShapesRender, CoverageEarlyOutsAgreeWithFullSampling) {
  for (Shape s : kShapes)
    for (double e : {4.0, 6.5})
      for (int py = 4; py < 28; ++py)
        for (int px = 4; px < 28; ++px) {
          const double x = 16.13, y = 15.71;
          int hits = 0;
          for (int i = 0; i < kSupersample; ++i)
            for (int j = 0; j < kSupersample; ++j)
              hits += inside(s, px + (j + 0.5) / kSupersample - x, py + (i + 0.5) / kSupersample - y, e);
          ASSERT_EQ(coverage(s, x, y, e, px, py), float(hits) / (kSupersample * kSupersample))
              << shape_name(s) << " e " << e << " pixel " << px << "," << py;
        }
}

TEST(ShapesRender, EdgesAreAntialiased) {
  Scene s;
  s.objects.push_back({Shape::circle, Colour::blue, Size::large, 16.0, 16.0});
  const auto img = render(s);
  int partial = 0;
  for (int p = 0; p < kImageSize * kImageSize; ++p) {
    const float b = img[size_t(p) * 3 + 2];
    partial += b > s.background + 0.05f && b < palette(Colour::blue).b - 0.05f;
  }
  EXPECT_GT(partial, 20);  // a ring of partly covered pixels around the disc
}

TEST(ShapesRender, Uint8RoundTrip) {
  const auto img = render(scene_at(0, 1));
  const auto u = to_uint8(img);
  const auto back = from_uint8(u.data(), u.size());
  for (size_t i = 0; i < img.size(); ++i) ASSERT_NEAR(back[i], img[i], 0.5 / 255 + 1e-6);
  EXPECT_EQ(to_uint8({-0.5f, 0.0f, 1.0f, 2.0f}), (std::vector<uint8_t>{0, 0, 255, 255}));
}

}  // namespace
}  // namespace rflab::shapes
