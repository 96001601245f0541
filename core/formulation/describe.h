// `rflab formulations describe`: a formulation's definitions on a fixed grid of t in (0, 1)
// (a_t, b_t, λ_t, unified w_t, π(t)) and its sampler grids, as a text table or JSON.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/formulation/formulation.h"

namespace rflab::core {

const std::vector<double>& describe_times();  // t = 0.05, 0.10, …, 0.95

// {"name", "shift", "table": [{t, a, b, lambda, w, pi}], "grid": {"steps", "native": [{t, sigma}],
// "shared": [{t, sigma}]}}; σ = ∞ is written as null.
nlohmann::json describe_json(const Formulation& f, int64_t steps);
std::string describe_text(const Formulation& f, int64_t steps);

}  // namespace rflab::core
