// The canonical names of the training formulations (SPEC §2.2) as plain strings, so that sweep
// files can be expanded and checked without the torch half: the value format F(v), the 61 names
// of the paper's study in registry order (SPEC §2.3), and a grammar check that canonicalises a
// name the way the registry's parse-then-print would.
#pragma once
#include <string>
#include <vector>

namespace rflab::sweeps {

// F(v): q = round_half_away_from_zero(100·v), printed as q/100 with exactly two decimals and a
// '-' only when q < 0 (never "-0.00").
std::string format_value(double v);

// The 61 canonical names in registry order (index 0 eps/linear … 60 edm/cos).
const std::vector<std::string>& paper61_names();

// Returns the canonical spelling of a name that follows the grammar of SPEC §2.2 ("-0.00" and
// "00.50" become "0.00" and "0.50", rf/mode(0.00) becomes rf). Throws std::invalid_argument with
// the expectation that was violated: grammar, or the parameter ranges (mode −1 ≤ s ≤ 2/(π−2),
// positive logit-normal and EDM spreads).
std::string canonical_formulation_name(const std::string& name);

}  // namespace rflab::sweeps
