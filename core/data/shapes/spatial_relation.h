// The one rule for spatial relations, used by the synthetic captions, the prompt set's ground
// truth and the matching of detected objects: A is left of B when B's centre lies at least
// kRelationMargin pixels further right (x), above B when B's centre lies at least the margin
// further down (y grows downwards). Centres are those of the bounding squares.
#pragma once
#include <string>

namespace rflab::shapes {

enum class Relation { left_of, right_of, above, below };

// A margin of 2 px keeps a relation from flipping under the detector's centre error (~0.2 px)
// while objects that merely touch side by side (centres >= 8 px apart) still have one.
constexpr double kRelationMargin = 2.0;

// Whether (ax, ay) stands in relation r to (bx, by), with `margin` pixels to spare.
inline bool relation_holds(Relation r, double ax, double ay, double bx, double by,
                           double margin = kRelationMargin) {
  switch (r) {
    case Relation::left_of: return bx - ax >= margin;
    case Relation::right_of: return ax - bx >= margin;
    case Relation::above: return by - ay >= margin;
    case Relation::below: return ay - by >= margin;
  }
  return false;
}

// "to the left of", "to the right of", "above", "below".
inline std::string relation_phrase(Relation r) {
  switch (r) {
    case Relation::left_of: return "to the left of";
    case Relation::right_of: return "to the right of";
    case Relation::above: return "above";
    case Relation::below: return "below";
  }
  return "";
}

// "left_of", ... as the JSON outputs name them.
inline std::string relation_name(Relation r) {
  switch (r) {
    case Relation::left_of: return "left_of";
    case Relation::right_of: return "right_of";
    case Relation::above: return "above";
    case Relation::below: return "below";
  }
  return "";
}

}  // namespace rflab::shapes
