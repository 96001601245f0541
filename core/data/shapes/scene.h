// The scene graph of the `shapes` dataset and its generator. A scene is one to four coloured
// shapes on a plain grey background in a 32x32 image; scene_at(seed, index) is a pure function of
// its arguments, the same on every platform, and the dataset's splits are ranges of index.
//
// Overlap rule: the bounding squares of two objects never overlap. Objects of different colours
// may touch; objects of the same colour keep at least kSameColourGap pixels between their
// squares, so every object is a separate connected region of its colour and a count is never
// ambiguous. Objects lie wholly inside the image.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/shapes/counter_rng.h"

namespace rflab::shapes {

constexpr int kImageSize = 32;

enum class Shape { circle, square, triangle, cross };
enum class Colour { red, green, blue, yellow, magenta, cyan };
enum class Size { small, large };
constexpr int kShapeCount = 4, kColourCount = 6, kSizeCount = 2;
constexpr std::array<Shape, kShapeCount> kShapes{Shape::circle, Shape::square, Shape::triangle, Shape::cross};
constexpr std::array<Colour, kColourCount> kColours{Colour::red,    Colour::green,   Colour::blue,
                                                    Colour::yellow, Colour::magenta, Colour::cyan};
constexpr std::array<Size, kSizeCount> kSizes{Size::small, Size::large};

std::string shape_name(Shape s);    // "circle"
std::string shape_plural(Shape s);  // "circles", "crosses"
std::string colour_name(Colour c);  // "red"
std::string size_name(Size z);      // "small"
// The inverse of the names; nullopt for any other text.
std::optional<Shape> parse_shape(const std::string& name);
std::optional<Colour> parse_colour(const std::string& name);

struct Rgb {
  float r, g, b;
};
// The palette: saturated colours at least 0.65 apart (Euclidean, RGB in [0,1]) and at least 0.65
// from every background grey, so neither noise nor antialiasing can turn one into another.
Rgb palette(Colour c);

// Half the side of an object's bounding square, in pixels: small 4 (an 8-pixel square), large 6.5.
double half_extent(Size z);
constexpr int kSameColourGap = 2;
// The background is a neutral grey with level drawn uniformly from this range.
constexpr double kBackgroundMin = 0.20, kBackgroundMax = 0.30;

struct Object {
  Shape shape;
  Colour colour;
  Size size;
  double x, y;  // centre of the bounding square, pixels, y down; not the triangle's centroid
};

struct Scene {
  float background = 0.25f;  // grey level of R, G and B
  std::vector<Object> objects;
};

// Whether a and b obey the overlap rule.
bool placement_allowed(const Object& a, const Object& b);

// Draws the centres of `objects` (shape, colour and size set) uniformly inside the image, each
// until it obeys the overlap rule with those before it and `accept` holds for the whole set once
// all are placed. False when 200 tries of an object fail; the caller draws anew.
template <class Accept>
bool place_objects(std::vector<Object>& objects, CounterRng& rng, Accept&& accept);

// Scene `index` of the dataset with `dataset_seed`: 1-4 objects, each shape, colour and size
// uniform, background grey uniform in [kBackgroundMin, kBackgroundMax).
Scene scene_at(uint64_t dataset_seed, int64_t index);

// Splits are disjoint ranges of index: train [0, 1e9), validation [1e9, 1e9 + 1e4), held-out
// [2e9, 2e9 + 1e4). Held-out scenes are used only to measure the detector and models.
enum class Split { train, validation, heldout };
struct IndexRange {
  int64_t begin, end;  // [begin, end)
  int64_t size() const { return end - begin; }
  bool contains(int64_t i) const { return i >= begin && i < end; }
};
IndexRange split_range(Split s);
std::string split_name(Split s);
std::optional<Split> split_of(int64_t index);  // nullopt between the ranges

// Stream numbers of CounterRng, one per use of a (seed, index) pair.
constexpr uint64_t kSceneStream = 1, kCaptionStream = 2, kStyleStream = 3, kPromptSceneStream = 4,
                   kPromptOrderStream = 5;

// --- implementation of the template ---

template <class Accept>
bool place_objects(std::vector<Object>& objects, CounterRng& rng, Accept&& accept) {
  constexpr int kTries = 200;
  for (size_t i = 0; i < objects.size(); ++i) {
    Object& o = objects[i];
    const double e = half_extent(o.size);
    bool placed = false;
    for (int t = 0; t < kTries && !placed; ++t) {
      o.x = rng.uniform(e, kImageSize - e);
      o.y = rng.uniform(e, kImageSize - e);
      placed = true;
      for (size_t j = 0; j < i && placed; ++j) placed = placement_allowed(o, objects[j]);
    }
    if (!placed) return false;
  }
  return accept(objects);
}

}  // namespace rflab::shapes
