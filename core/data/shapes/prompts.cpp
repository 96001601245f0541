#include "core/data/shapes/prompts.h"

#include <stdexcept>

#include "core/data/shapes/captions.h"

namespace rflab::shapes {
namespace {

std::string a_shape(Shape s) { return "a " + shape_name(s); }
std::string a_coloured(Colour c, Shape s) { return "a " + colour_name(c) + " " + shape_name(s); }

// Every distinct prompt of a category, in a fixed order.
std::vector<Prompt> distinct_prompts(Category cat) {
  std::vector<Prompt> out;
  auto add = [&](std::string text, std::vector<ObjectNeed> needs, std::optional<Relation> rel = std::nullopt) {
    Prompt p;
    p.category = cat, p.text = std::move(text), p.needs = std::move(needs), p.relation = rel;
    out.push_back(std::move(p));
  };
  switch (cat) {
    case Category::single_object:
      for (Shape s : kShapes) add(a_shape(s), {{s, std::nullopt, 1, false}});
      break;
    case Category::two_objects:
      for (Shape a : kShapes)
        for (Shape b : kShapes)
          if (a != b) add(a_shape(a) + " and " + a_shape(b), {{a, std::nullopt, 1, false}, {b, std::nullopt, 1, false}});
      break;
    case Category::counting:
      for (Shape s : kShapes)
        for (int n = 2; n <= 4; ++n) add(count_word(n) + " " + shape_plural(s), {{s, std::nullopt, n, true}});
      break;
    case Category::colors:
      for (Shape s : kShapes)
        for (Colour c : kColours) add(a_coloured(c, s), {{s, c, 1, false}});
      break;
    case Category::position:
      for (Shape a : kShapes)
        for (Shape b : kShapes)
          if (a != b)
            for (Relation r : {Relation::left_of, Relation::right_of, Relation::above, Relation::below})
              add(a_shape(a) + " " + relation_phrase(r) + " " + a_shape(b),
                  {{a, std::nullopt, 1, false}, {b, std::nullopt, 1, false}}, r);
      break;
    case Category::color_attr:
      for (Shape a : kShapes)
        for (Shape b : kShapes)
          if (a != b)
            for (Colour ca : kColours)
              for (Colour cb : kColours)
                if (ca != cb) add(a_coloured(ca, a) + " and " + a_coloured(cb, b), {{a, ca, 1, false}, {b, cb, 1, false}});
      break;
  }
  return out;
}

bool matches(const ObjectNeed& need, const DetectedObject& o) {
  return o.shape == need.shape && (!need.colour || o.colour == *need.colour);
}

}  // namespace

std::string category_name(Category c) {
  switch (c) {
    case Category::single_object: return "single_object";
    case Category::two_objects: return "two_object";
    case Category::counting: return "counting";
    case Category::colors: return "colors";
    case Category::position: return "position";
    case Category::color_attr: return "color_attr";
  }
  throw std::logic_error("category_name: bad category");
}

std::vector<Prompt> prompt_set(uint64_t seed, int per_category) {
  if (per_category < 1) throw std::invalid_argument("prompt_set: per_category must be >= 1");
  std::vector<Prompt> out;
  for (int c = 0; c < kCategoryCount; ++c) {
    std::vector<Prompt> pool = distinct_prompts(static_cast<Category>(c));
    CounterRng rng(seed, c, kPromptOrderStream);
    for (size_t i = pool.size() - 1; i > 0; --i)  // Fisher-Yates
      std::swap(pool[i], pool[size_t(rng.below(static_cast<int>(i + 1)))]);
    for (int k = 0; k < per_category; ++k) {
      Prompt p = pool[size_t(k) % pool.size()];
      p.id = static_cast<int>(out.size());
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool satisfied(const Prompt& prompt, const std::vector<DetectedObject>& found) {
  for (const ObjectNeed& need : prompt.needs) {
    int n = 0;
    for (const DetectedObject& o : found) n += matches(need, o);
    if (need.exact ? n != need.count : n < need.count) return false;
  }
  if (!prompt.relation) return true;
  for (const DetectedObject& a : found) {
    if (!matches(prompt.needs.at(0), a)) continue;
    for (const DetectedObject& b : found)
      if (&a != &b && matches(prompt.needs.at(1), b) && relation_holds(*prompt.relation, a.x, a.y, b.x, b.y))
        return true;
  }
  return false;
}

Scene scene_for(const Prompt& prompt, uint64_t seed) {
  CounterRng rng(seed, prompt.id, kPromptSceneStream);
  Scene scene;
  scene.background = static_cast<float>(rng.uniform(kBackgroundMin, kBackgroundMax));
  auto relation_clear = [&](const std::vector<Object>& objs) {
    return !prompt.relation ||
           relation_holds(*prompt.relation, objs[0].x, objs[0].y, objs[1].x, objs[1].y, kRelationMargin + 1.0);
  };
  for (int attempt = 0; attempt < 10000; ++attempt) {
    std::vector<Object> objects;
    for (const ObjectNeed& need : prompt.needs)
      for (int i = 0; i < need.count; ++i) {
        Object o{};
        o.shape = need.shape;
        o.colour = need.colour ? *need.colour : kColours[size_t(rng.below(kColourCount))];
        o.size = kSizes[size_t(rng.below(kSizeCount))];
        objects.push_back(o);
      }
    if (place_objects(objects, rng, relation_clear)) {
      scene.objects = std::move(objects);
      return scene;
    }
  }
  throw std::logic_error("scene_for: no placement found");
}

}  // namespace rflab::shapes
