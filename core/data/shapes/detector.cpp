#include "core/data/shapes/detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>

#include "core/data/shapes/geometry.h"
#include "core/data/shapes/render.h"

namespace rflab::shapes {
namespace {

constexpr int kPixels = kImageSize * kImageSize;
// Below this residual one colour explains a pixel and pairs are not tried; a pair must lower the
// residual by kPairGain to be preferred, so noise is not fitted as a second colour.
constexpr double kSingleGood = 0.06, kPairGain = 0.04;
// Coverage below this is noise, not an antialiased edge.
constexpr float kCoverageFloor = 0.05f;

struct Vec3 {
  double r, g, b;
};
double dot(const Vec3& a, const Vec3& b) { return a.r * b.r + a.g * b.g + a.b * b.b; }
Vec3 axpy(double a, const Vec3& x, const Vec3& y) { return {y.r + a * x.r, y.g + a * x.g, y.b + a * x.b}; }

// Coverage of each palette colour at each pixel: pixel = B + sum_k a_k (C_k - B), at most two a_k
// non-zero, a_k >= 0, sum <= 1, chosen to minimise the residual.
using CoverageMaps = std::array<std::array<float, kPixels>, kColourCount>;

void unmix(const float* hwc, const Rgb& bg, CoverageMaps& maps) {
  std::array<Vec3, kColourCount> u;
  std::array<double, kColourCount> uu;
  for (int k = 0; k < kColourCount; ++k) {
    const Rgb c = palette(kColours[static_cast<size_t>(k)]);
    u[static_cast<size_t>(k)] = {c.r - double(bg.r), c.g - double(bg.g), c.b - double(bg.b)};
    uu[static_cast<size_t>(k)] = dot(u[static_cast<size_t>(k)], u[static_cast<size_t>(k)]);
  }
  for (auto& m : maps) m.fill(0.0f);
  // A pixel this close to the background gives every colour a coverage below the floor
  // (a <= |d| / |u|), so it is skipped: most pixels of a clean image are.
  const double min_uu = *std::min_element(uu.begin(), uu.end());
  const double quiet = kCoverageFloor * kCoverageFloor * min_uu;
  for (int p = 0; p < kPixels; ++p) {
    const Vec3 d{hwc[3 * p] - double(bg.r), hwc[3 * p + 1] - double(bg.g), hwc[3 * p + 2] - double(bg.b)};
    const double dd = dot(d, d);
    if (dd < quiet) continue;
    int best_k = -1;
    double best_a = 0.0, best_r2 = dd;
    for (int k = 0; k < kColourCount; ++k) {
      const double a = std::clamp(dot(d, u[size_t(k)]) / uu[size_t(k)], 0.0, 1.0);
      const Vec3 res = axpy(-a, u[size_t(k)], d);
      const double r2 = dot(res, res);
      if (r2 < best_r2) best_k = k, best_a = a, best_r2 = r2;
    }
    int pair_k = -1, pair_j = -1;
    double pair_a = 0.0, pair_b = 0.0, pair_r2 = best_r2;
    if (best_r2 > kSingleGood * kSingleGood) {
      for (int k = 0; k < kColourCount; ++k)
        for (int j = k + 1; j < kColourCount; ++j) {
          const Vec3 &x = u[size_t(k)], &y = u[size_t(j)];
          const double xy = dot(x, y), det = uu[size_t(k)] * uu[size_t(j)] - xy * xy;
          const double dx = dot(d, x), dy = dot(d, y);
          double a = (dx * uu[size_t(j)] - dy * xy) / det, b = (dy * uu[size_t(k)] - dx * xy) / det;
          if (a <= 0.0 || b <= 0.0) continue;  // a single colour (tried above) fits at least as well
          if (a + b > 1.0) {  // on the edge a + b = 1: the segment between the two colours
            const Vec3 xmy = axpy(-1.0, y, x), dmy = axpy(-1.0, y, d);
            a = std::clamp(dot(dmy, xmy) / dot(xmy, xmy), 0.0, 1.0);
            b = 1.0 - a;
          }
          const Vec3 res = axpy(-b, y, axpy(-a, x, d));
          const double r2 = dot(res, res);
          if (r2 < pair_r2) pair_k = k, pair_j = j, pair_a = a, pair_b = b, pair_r2 = r2;
        }
    }
    const double single_r = std::sqrt(best_r2);
    if (pair_k >= 0 && std::sqrt(pair_r2) < single_r - kPairGain) {
      if (std::sqrt(pair_r2) > kMaxResidual) continue;
      maps[size_t(pair_k)][size_t(p)] = pair_a >= kCoverageFloor ? float(pair_a) : 0.0f;
      maps[size_t(pair_j)][size_t(p)] = pair_b >= kCoverageFloor ? float(pair_b) : 0.0f;
    } else if (best_k >= 0 && single_r <= kMaxResidual && best_a >= kCoverageFloor) {
      maps[size_t(best_k)][size_t(p)] = float(best_a);
    }
  }
}

// One 8-connected region of a colour and the soft coverage around it.
struct Region {
  std::vector<int> pixels;  // coverage >= kRegionCoverage
  int x0 = kImageSize, y0 = kImageSize, x1 = -1, y1 = -1;
};

std::vector<Region> regions_of(const std::array<float, kPixels>& cover, std::array<int, kPixels>& label) {
  label.fill(-1);
  std::vector<Region> out;
  std::vector<int> stack;
  for (int start = 0; start < kPixels; ++start) {
    if (label[size_t(start)] >= 0 || cover[size_t(start)] < kRegionCoverage) continue;
    Region r;
    const int id = static_cast<int>(out.size());
    label[size_t(start)] = id;
    stack.assign(1, start);
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      r.pixels.push_back(p);
      const int px = p % kImageSize, py = p / kImageSize;
      r.x0 = std::min(r.x0, px), r.x1 = std::max(r.x1, px), r.y0 = std::min(r.y0, py), r.y1 = std::max(r.y1, py);
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int qx = px + dx, qy = py + dy;
          if (qx < 0 || qy < 0 || qx >= kImageSize || qy >= kImageSize) continue;
          const int q = qy * kImageSize + qx;
          if (label[size_t(q)] >= 0 || cover[size_t(q)] < kRegionCoverage) continue;
          label[size_t(q)] = id;
          stack.push_back(q);
        }
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Names the region's shape by its harmonic moments (the nearest ideal shape's, geometry.h), its
// size and centre by the ideal shape of its area and centroid; nothing for a region too small.
std::optional<DetectedObject> fit(Colour colour, const Region& r, int id, const std::array<float, kPixels>& cover,
                                  const std::array<int, kPixels>& label) {
  // The soft window: the region and its 8-neighbours not in another region of the colour, which
  // holds the antialiased (and blurred) edge. Same-coloured objects are >= 2 px apart, so the
  // edges of two regions never share a pixel.
  const int wx0 = std::max(0, r.x0 - 2), wx1 = std::min(kImageSize - 1, r.x1 + 2);
  const int wy0 = std::max(0, r.y0 - 2), wy1 = std::min(kImageSize - 1, r.y1 + 2);
  const int ww = wx1 - wx0 + 1, wh = wy1 - wy0 + 1;
  std::vector<float> soft(size_t(ww * wh), 0.0f);
  double area = 0.0, mx = 0.0, my = 0.0;
  for (int y = wy0; y <= wy1; ++y)
    for (int x = wx0; x <= wx1; ++x) {
      const int p = y * kImageSize + x;
      bool near = label[size_t(p)] == id;
      if (label[size_t(p)] < 0)
        for (int dy = -1; dy <= 1 && !near; ++dy)
          for (int dx = -1; dx <= 1 && !near; ++dx) {
            const int qx = x + dx, qy = y + dy;
            near = qx >= 0 && qy >= 0 && qx < kImageSize && qy < kImageSize && label[size_t(qy * kImageSize + qx)] == id;
          }
      if (!near) continue;
      const float a = cover[size_t(p)];
      soft[size_t((y - wy0) * ww + (x - wx0))] = a;
      area += a, mx += a * (x + 0.5), my += a * (y + 0.5);
    }
  if (area < kMinArea) return std::nullopt;
  mx /= area, my /= area;
  std::complex<double> c3 = 0.0, c4 = 0.0;
  for (int y = wy0; y <= wy1; ++y)
    for (int x = wx0; x <= wx1; ++x) {
      const float a = soft[size_t((y - wy0) * ww + (x - wx0))];
      if (a == 0.0f) continue;
      const std::complex<double> z(x + 0.5 - mx, y + 0.5 - my), z2 = z * z;
      c3 += double(a) * z2 * z, c4 += double(a) * z2 * z2;
    }
  const double m3 = c3.imag() / std::pow(area, 2.5), m4 = c4.real() / std::pow(area, 3.0);
  Shape shape = Shape::circle;
  double best_d = 1e300;
  for (Shape s : kShapes) {
    const HarmonicMoments h = harmonic_moments(s);
    const double d = (m3 - h.m3) * (m3 - h.m3) + (m4 - h.m4) * (m4 - h.m4);
    if (d < best_d) shape = s, best_d = d;
  }
  const double e = std::sqrt(area / area_factor(shape));
  const double cx = mx, cy = my - centroid_offset(shape) * e;
  double miss = 0.0;
  for (int y = wy0; y <= wy1; ++y)
    for (int x = wx0; x <= wx1; ++x)
      miss += std::fabs(soft[size_t((y - wy0) * ww + (x - wx0))] - coverage(shape, cx, cy, e, x, y));
  return DetectedObject{shape, colour, e < kSizeThreshold ? Size::small : Size::large, cx, cy, area, e, miss / area};
}

}  // namespace

Rgb estimate_background(const float* hwc) {
  std::array<Rgb, kColourCount> pal;
  for (size_t k = 0; k < pal.size(); ++k) pal[k] = palette(kColours[k]);
  std::array<std::vector<float>, 3> ch;
  for (auto& c : ch) c.reserve(kPixels);
  for (int p = 0; p < kPixels; ++p) {
    const float* v = hwc + 3 * p;
    const float sat = std::max({v[0], v[1], v[2]}) - std::min({v[0], v[1], v[2]});
    if (sat >= 0.2f) continue;
    bool far = true;
    for (const Rgb& q : pal) {
      const float d2 = (v[0] - q.r) * (v[0] - q.r) + (v[1] - q.g) * (v[1] - q.g) + (v[2] - q.b) * (v[2] - q.b);
      far = far && d2 > 0.35f * 0.35f;
    }
    if (!far) continue;
    for (size_t c = 0; c < 3; ++c) ch[c].push_back(v[c]);
  }
  if (ch[0].size() < 32) return {0.25f, 0.25f, 0.25f};
  std::array<float, 3> med;
  for (size_t c = 0; c < 3; ++c) {
    auto mid = ch[c].begin() + static_cast<std::ptrdiff_t>(ch[c].size() / 2);
    std::nth_element(ch[c].begin(), mid, ch[c].end());
    med[c] = *mid;
  }
  return {med[0], med[1], med[2]};
}

std::vector<DetectedObject> detect(const float* hwc) {
  CoverageMaps maps;
  unmix(hwc, estimate_background(hwc), maps);
  std::vector<DetectedObject> out;
  std::array<int, kPixels> label;
  for (int k = 0; k < kColourCount; ++k) {
    const auto regions = regions_of(maps[size_t(k)], label);
    for (size_t i = 0; i < regions.size(); ++i)
      if (auto o = fit(kColours[size_t(k)], regions[i], static_cast<int>(i), maps[size_t(k)], label))
        out.push_back(*o);
  }
  std::sort(out.begin(), out.end(), [](const DetectedObject& a, const DetectedObject& b) {
    return a.x != b.x ? a.x < b.x : a.y < b.y;
  });
  return out;
}

std::vector<DetectedObject> detect(const std::vector<float>& hwc) { return detect(hwc.data()); }

bool recovers(const Scene& scene, const std::vector<DetectedObject>& found, double tolerance) {
  if (found.size() != scene.objects.size()) return false;
  std::vector<bool> used(found.size(), false);
  for (const Object& o : scene.objects) {
    int best = -1;
    double best_d = tolerance;
    for (size_t i = 0; i < found.size(); ++i) {
      const DetectedObject& f = found[i];
      if (used[i] || f.shape != o.shape || f.colour != o.colour || f.size != o.size) continue;
      const double d = std::hypot(f.x - o.x, f.y - o.y);
      if (d <= best_d) best = static_cast<int>(i), best_d = d;
    }
    if (best < 0) return false;
    used[size_t(best)] = true;
  }
  return true;
}

}  // namespace rflab::shapes
