// The config value `data.captions = original | synthetic | mix(p)` (the caption study of SPEC's
// `shapes` dataset, docs/shapes.md): which of an image's two captions it is trained with. mix(p)
// takes the synthetic caption with probability p, the original one otherwise; mix(0.5) is the
// paper's 50/50. Torch-free, so the run config validates it at the edge.
#pragma once
#include <string>

namespace rflab::results {

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

}  // namespace rflab::results
