#include "core/data/shapes/scene.h"

#include <cmath>
#include <stdexcept>

namespace rflab::shapes {

std::string shape_name(Shape s) {
  switch (s) {
    case Shape::circle: return "circle";
    case Shape::square: return "square";
    case Shape::triangle: return "triangle";
    case Shape::cross: return "cross";
  }
  throw std::logic_error("shape_name: bad shape");
}

std::string shape_plural(Shape s) { return s == Shape::cross ? "crosses" : shape_name(s) + "s"; }

std::string colour_name(Colour c) {
  switch (c) {
    case Colour::red: return "red";
    case Colour::green: return "green";
    case Colour::blue: return "blue";
    case Colour::yellow: return "yellow";
    case Colour::magenta: return "magenta";
    case Colour::cyan: return "cyan";
  }
  throw std::logic_error("colour_name: bad colour");
}

std::string size_name(Size z) { return z == Size::small ? "small" : "large"; }

std::optional<Shape> parse_shape(const std::string& name) {
  for (Shape s : kShapes)
    if (shape_name(s) == name) return s;
  return std::nullopt;
}

std::optional<Colour> parse_colour(const std::string& name) {
  for (Colour c : kColours)
    if (colour_name(c) == name) return c;
  return std::nullopt;
}

Rgb palette(Colour c) {
  switch (c) {
    case Colour::red: return {0.90f, 0.12f, 0.12f};
    case Colour::green: return {0.15f, 0.80f, 0.15f};
    case Colour::blue: return {0.15f, 0.25f, 0.95f};
    case Colour::yellow: return {0.95f, 0.90f, 0.15f};
    case Colour::magenta: return {0.90f, 0.15f, 0.90f};
    case Colour::cyan: return {0.10f, 0.90f, 0.90f};
  }
  throw std::logic_error("palette: bad colour");
}

double half_extent(Size z) { return z == Size::small ? 4.0 : 6.5; }

bool placement_allowed(const Object& a, const Object& b) {
  const double gap = a.colour == b.colour ? kSameColourGap : 0.0;
  const double reach = half_extent(a.size) + half_extent(b.size) + gap;
  return std::fabs(a.x - b.x) >= reach || std::fabs(a.y - b.y) >= reach;
}

Scene scene_at(uint64_t dataset_seed, int64_t index) {
  CounterRng rng(dataset_seed, index, kSceneStream);
  Scene scene;
  scene.background = static_cast<float>(rng.uniform(kBackgroundMin, kBackgroundMax));
  // The count is drawn once, so that it stays uniform. Four large objects fit (2 x 13 < 32) but
  // random placement can jam: a jammed placement is drawn again further along the same stream
  // (the result stays a pure function), and after 100 jams the attributes are drawn again too.
  const size_t count = static_cast<size_t>(1 + rng.below(4));
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<Object> objects(count);
    for (Object& o : objects) {
      o.shape = kShapes[static_cast<size_t>(rng.below(kShapeCount))];
      o.colour = kColours[static_cast<size_t>(rng.below(kColourCount))];
      o.size = kSizes[static_cast<size_t>(rng.below(kSizeCount))];
    }
    for (int placement = 0; placement < 100; ++placement)
      if (place_objects(objects, rng, [](const std::vector<Object>&) { return true; })) {
        scene.objects = std::move(objects);
        return scene;
      }
  }
  throw std::logic_error("scene_at: no placement found");  // unreachable in practice
}

IndexRange split_range(Split s) {
  switch (s) {
    case Split::train: return {0, 1'000'000'000};
    case Split::validation: return {1'000'000'000, 1'000'010'000};
    case Split::heldout: return {2'000'000'000, 2'000'010'000};
  }
  throw std::logic_error("split_range: bad split");
}

std::string split_name(Split s) {
  switch (s) {
    case Split::train: return "train";
    case Split::validation: return "validation";
    case Split::heldout: return "heldout";
  }
  throw std::logic_error("split_name: bad split");
}

std::optional<Split> split_of(int64_t index) {
  for (Split s : {Split::train, Split::validation, Split::heldout})
    if (split_range(s).contains(index)) return s;
  return std::nullopt;
}

}  // namespace rflab::shapes
