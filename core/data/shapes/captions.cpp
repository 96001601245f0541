#include "core/data/shapes/captions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>

#include "core/data/shapes/spatial_relation.h"
#include "results/error.h"

namespace rflab::shapes {
namespace {

// "a", "a and b", "a, b and c".
std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

struct Group {
  Size size;
  Colour colour;
  Shape shape;
  std::vector<const Object*> members;
  double mean_x = 0.0, mean_y = 0.0;
};

std::vector<Group> groups_of(const Scene& scene) {
  std::map<std::tuple<Size, Colour, Shape>, Group> by_key;
  for (const Object& o : scene.objects) {
    Group& g = by_key[{o.size, o.colour, o.shape}];
    g.size = o.size, g.colour = o.colour, g.shape = o.shape;
    g.members.push_back(&o);
  }
  std::vector<Group> out;
  for (auto& [key, g] : by_key) {
    for (const Object* o : g.members) g.mean_x += o->x, g.mean_y += o->y;
    g.mean_x /= double(g.members.size()), g.mean_y /= double(g.members.size());
    out.push_back(std::move(g));
  }
  // The map's key order breaks ties of position deterministically.
  std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    return a.mean_x != b.mean_x ? a.mean_x < b.mean_x : a.mean_y < b.mean_y;
  });
  return out;
}

bool all_pairs(const Group& a, const Group& b, Relation r) {
  for (const Object* p : a.members)
    for (const Object* q : b.members)
      if (!relation_holds(r, p->x, p->y, q->x, q->y)) return false;
  return true;
}

std::string link(const Group& a, const Group& b) {
  for (Relation r : {Relation::left_of, Relation::above, Relation::below})
    if (all_pairs(a, b, r)) return relation_phrase(r);
  return "and";
}

std::string phrase(const Group& g) {
  const int n = static_cast<int>(g.members.size());
  return fmt::format("{} {} {} {}", count_word(n), size_name(g.size), colour_name(g.colour),
                     n == 1 ? shape_name(g.shape) : shape_plural(g.shape));
}

}  // namespace

std::string count_word(int n) {
  switch (n) {
    case 1: return "a";
    case 2: return "two";
    case 3: return "three";
    case 4: return "four";
  }
  return std::to_string(n);
}

CaptionStyle style_for(const CaptionChoice& choice, uint64_t seed, int64_t index) {
  if (choice.kind != CaptionChoice::Kind::mix)
    return choice.kind == CaptionChoice::Kind::original ? CaptionStyle::original : CaptionStyle::synthetic;
  CounterRng rng(seed, index, kStyleStream);
  return rng.unit() < choice.p_synthetic ? CaptionStyle::synthetic : CaptionStyle::original;
}

std::string synthetic_caption(const Scene& scene) {
  const std::vector<Group> groups = groups_of(scene);
  std::string out;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out += " " + link(groups[i - 1], groups[i]) + " ";
    out += phrase(groups[i]);
  }
  return out;
}

std::string original_caption(const Scene& scene, uint64_t seed, int64_t index) {
  CounterRng rng(seed, index, kCaptionStream);
  const int form = rng.below(4);
  if (form == 0 || scene.objects.empty()) {
    static const char* const generic[] = {"shapes", "geometric shapes", "simple shapes", "an abstract picture"};
    return generic[rng.below(4)];
  }
  if (form == 1) {
    std::vector<std::string> names;
    for (Shape s : kShapes)
      if (std::any_of(scene.objects.begin(), scene.objects.end(), [s](const Object& o) { return o.shape == s; }))
        names.push_back("a " + shape_name(s));
    return join_and(names);
  }
  if (form == 2) {
    std::vector<std::string> names;
    for (Colour c : kColours)
      if (std::any_of(scene.objects.begin(), scene.objects.end(), [c](const Object& o) { return o.colour == c; }))
        names.push_back(colour_name(c));
    return join_and(names) + " things";
  }
  const Object& left = *std::min_element(scene.objects.begin(), scene.objects.end(),
                                         [](const Object& a, const Object& b) { return a.x < b.x; });
  return "a " + colour_name(left.colour) + " " + shape_name(left.shape);
}

std::string caption(const Scene& scene, CaptionStyle style, uint64_t seed, int64_t index) {
  return style == CaptionStyle::synthetic ? synthetic_caption(scene) : original_caption(scene, seed, index);
}

}  // namespace rflab::shapes
