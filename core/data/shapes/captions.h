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
#include "results/caption_choice.h"

namespace rflab::shapes {

enum class CaptionStyle { original, synthetic };

// The choice between them, `data.captions = original | synthetic | mix(p)`, is parsed at the
// config's edge (results/caption_choice.h).
using results::CaptionChoice;
using results::parse_caption_choice;
using results::to_string;

// The style image `index` gets under `choice`: deterministic in (seed, index).
CaptionStyle style_for(const CaptionChoice& choice, uint64_t seed, int64_t index);

std::string synthetic_caption(const Scene& scene);
std::string original_caption(const Scene& scene, uint64_t seed, int64_t index);
std::string caption(const Scene& scene, CaptionStyle style, uint64_t seed, int64_t index);

// "a", "two", "three", "four" (and digits above four).
std::string count_word(int n);

}  // namespace rflab::shapes
