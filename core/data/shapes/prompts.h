// The fixed evaluation prompt set of the `shapes` domain, in GenEval's six categories, with the
// rule that decides whether a set of detected objects satisfies a prompt and a ground-truth scene
// for each prompt.
//
// Size of the set: a success rate p measured on n independent prompts has a 95% interval of
// +-1.96 sqrt(p(1-p)/n) (normal approximation); its worst case, p = 0.5, is within +-5 points
// when n >= 1.96^2 * 0.25 / 0.05^2 = 384.2, so each category holds kDefaultPromptsPerCategory =
// 385 prompts. A category has fewer distinct texts than that (single object: 4, two objects:
// 12, counting: 12, colours: 24, position: 48, colour attribution: 360), so its texts are drawn
// in a seeded random order and repeated cyclically; each prompt has its own id, the seed of the
// image generated for it.
//
// Rules (GenEval's in spirit; extra objects are allowed except where a count is exact):
//   single object      "a circle"                     >= 1 circle
//   two objects        "a circle and a square"        >= 1 of each (shapes differ)
//   counting           "three squares"                exactly 3 squares (N in 2..4)
//   colours            "a red circle"                 >= 1 circle that is red
//   position           "a circle to the left of a square"
//                                                     some circle and some square in that relation
//                                                     (spatial_relation.h)
//   colour attribution "a red circle and a blue square"
//                                                     >= 1 red circle and >= 1 blue square
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/shapes/detector.h"
#include "core/data/shapes/scene.h"
#include "core/data/shapes/spatial_relation.h"

namespace rflab::shapes {

enum class Category { single_object, two_objects, counting, colors, position, color_attr };
constexpr int kCategoryCount = 6;
constexpr int kDefaultPromptsPerCategory = 385;

// GenEval's tags: "single_object", "two_object", "counting", "colors", "position", "color_attr".
std::string category_name(Category c);

// `count` objects of `shape` (of `colour`, if set); exactly that many when `exact`, else at least.
struct ObjectNeed {
  Shape shape;
  std::optional<Colour> colour;
  int count = 1;
  bool exact = false;
};

struct Prompt {
  int id = 0;  // position in the set; categories follow each other in enum order
  Category category = Category::single_object;
  std::string text;
  std::vector<ObjectNeed> needs;
  std::optional<Relation> relation;  // of needs[0] to needs[1] (position prompts)
};

// per_category prompts of each category, drawn from `seed`.
std::vector<Prompt> prompt_set(uint64_t seed, int per_category = kDefaultPromptsPerCategory);

bool satisfied(const Prompt& prompt, const std::vector<DetectedObject>& found);

// A scene that satisfies the prompt: exactly the objects it names (colours and sizes not named
// are drawn), obeying the overlap rule, a relation holding with one pixel to spare over the
// margin. Deterministic in (prompt.id, seed).
Scene scene_for(const Prompt& prompt, uint64_t seed);

}  // namespace rflab::shapes
