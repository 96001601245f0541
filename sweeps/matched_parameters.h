// The sweep helper of the architecture ablation: each variant (a backbone, a block design) gets
// the width or the depth that brings its parameter count (the closed form of
// core/model/shape/model_size.h) nearest a target, so backbones compare at equal size, as the
// paper's §5.2.3 and the DiT paper do. A variant no size brings within 5% of the target is an
// error naming it and the nearest count.
//
//   { "generator": "matched_parameters", "adjust": "width",     // or "depth"
//     "parameters": "base",                                      // or a count: 1200000
//     "variants": [ { "model.backbone": "mmdit" }, { "model.backbone": "dit" }, ... ] }
//
// "base" is the count of the sweep's base config itself. Adjusting the width keeps the head
// count (and so varies the head dimension) and steps by the least common multiple of 4 (the
// position table) and the head count; adjusting the depth keeps the base's width, which must
// then be set (model.width), not follow 64·depth, and its head count.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweeps/sweep_file.h"

namespace rflab::sweeps {

inline constexpr double kMatchedParametersTolerance = 0.05;

// The closed-form parameter count of a flat config (dotted keys) completed with the defaults.
int64_t parameters_of(const nlohmann::json& flat_config, const std::string& source);

// Each variant's assignment followed by ("model.heads", the base's) and the chosen
// ("model.width", W) or ("model.depth", D).
// UserError naming `file`, `path` and the variant when no size is within 5% of the target.
std::vector<Assignment> match_parameters(const nlohmann::json& base, const std::vector<Assignment>& variants,
                                         int64_t target, const std::string& adjust, const std::string& file,
                                         const std::string& path);

}  // namespace rflab::sweeps
