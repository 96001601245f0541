// The names of the training formulations (SPEC §2.2, §2.3, D25) in one torch-free place: the
// families, the value format F(v), the grammar with its +minsnr(g) and +ztsnr modifiers, the
// parameter ranges and the 61-name registry. core::Formulation and the sweep files both parse and
// print through here, so a name is accepted, canonicalised and hashed the same way on both sides.
#pragma once
#include <string>
#include <vector>

#include "results/error.h"

namespace rflab::results {

enum class FormulationFamily {
  eps_linear, v_linear, eps_cos, v_cos, rf_mode, rf_lognorm, rf_cosmap, edm, edm_rf, edm_cos
};

// A parsed name: the family and the parameters exactly as training uses them (grid values
// bit-exact, never -0.0). Parameters a family does not have are 0.
struct FormulationName {
  FormulationFamily family = FormulationFamily::rf_mode;
  double p1 = 0;            // s of rf/mode, m of rf/lognorm, Pm of edm
  double p2 = 0;            // s of rf/lognorm, Ps of edm
  double minsnr_gamma = 0;  // g of +minsnr(g); 0 when absent
  bool ztsnr = false;       // +ztsnr
};

// A name that is not a formulation. what() is "formulation: expected EXPECTED, got 'NAME'"; the
// parts are kept so that a caller (a sweep file) can restate them with its own file and field.
struct FormulationNameError : UserError {
  FormulationNameError(const std::string& expected, const std::string& name);
  std::string expected;
  std::string name;
};

// F(v): q = round_half_away_from_zero(100·v), printed as q/100 with exactly two decimals and a
// '-' only when q < 0 (never "-0.00").
std::string format_value(double v);

// 2/(π−2) ≈ 1.7519, the largest mode scale s for which the mode map is monotone (SPEC §2.1).
double mode_scale_max();

// Parses the grammar of SPEC §2.2 plus the modifiers "+minsnr(g)" (eps/* and v/* families) and
// "+ztsnr" (v/linear only), each at most once and in either order. A number resolves to the grid
// value of its parameter that prints as the same text, otherwise to its own value (D25);
// rf/mode(0.00) is rf. Throws FormulationNameError for a bad name or an out-of-range parameter
// (mode −1 ≤ s ≤ 2/(π−2), positive logit-normal and EDM spreads, min-SNR g > 0).
FormulationName parse_formulation_name(const std::string& name);

// The canonical print: F(v) for every number, rf for rf/mode(0.00), then +minsnr(g), then +ztsnr.
std::string formulation_name(const FormulationName& f);

// formulation_name(parse_formulation_name(name)): "-0.00", "00.50", rf/mode(0.00) and modifiers
// in either order become the one spelling that run configs store and hash.
std::string canonical_formulation_name(const std::string& name);

// The 61 canonical names of the paper's study in registry order (SPEC §2.3).
const std::vector<std::string>& paper61_names();

}  // namespace rflab::results
