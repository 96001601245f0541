// The two captions of every image of the `shapes` dataset, and the choice between them.
//
// Synthetic (complete): the objects grouped by (size, colour, shape), groups in order of their
// mean x, each a phrase "COUNT SIZE COLOUR SHAPE(S)" (COUNT: a, two, three, four), consecutive
// groups joined by the relation that holds between every member of the one and every member of
// the next (spatial_relation.h: "to the left of", else "above", else "below"), or by "and" when
// none does. "two small red circles to the left of a large blue square above a small green cross"
// reads as a chain: each relation links the two groups beside it.
//
// Original (terse, as alt-text is): one of four forms, chosen by (seed, index): a generic noun
// ("shapes", "geometric shapes", "simple shapes", "an abstract picture"); the shapes present
// without counts or colours ("a circle and a square"); the colours present ("red and blue
// things"); or the leftmost object alone ("a red circle").
#pragma once
#include <cstdint>
#include <string>

#include "core/data/shapes/scene.h"

namespace rflab::shapes {

enum class CaptionStyle { original, synthetic };

// The config value `original | synthetic | mix(p)`: which caption an image is trained with.
// mix(p) takes the synthetic caption with probability p, the original one otherwise.
struct CaptionChoice {
  enum class Kind { original, synthetic, mix };
  Kind kind = Kind::synthetic;
  double p_synthetic = 1.0;  // 0 for original, 1 for synthetic, p for mix(p)
};

// Parses `text`; anything else is a UserError "FILE: FIELD: expected original, synthetic or
// mix(p) with p in [0, 1], got 'TEXT'".
CaptionChoice parse_caption_choice(const std::string& text, const std::string& file = "",
                                   const std::string& field = "caption");
// The canonical text: "original", "synthetic" or "mix(0.5)" (shortest round-trip form of p).
std::string to_string(const CaptionChoice& choice);

// The style image `index` gets under `choice`: deterministic in (seed, index).
CaptionStyle style_for(const CaptionChoice& choice, uint64_t seed, int64_t index);

std::string synthetic_caption(const Scene& scene);
std::string original_caption(const Scene& scene, uint64_t seed, int64_t index);
std::string caption(const Scene& scene, CaptionStyle style, uint64_t seed, int64_t index);

// "a", "two", "three", "four" (and digits above four).
std::string count_word(int n);

}  // namespace rflab::shapes
