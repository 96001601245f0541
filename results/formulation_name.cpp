// Canonical formulation names (SPEC §2.2, §2.3, D25): print, parse and the 61-entry registry.
#include "results/formulation_name.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace rflab::results {
namespace {

using Family = FormulationFamily;

constexpr double kPi = 3.14159265358979323846;

// Every family once; parse tries them in this (registry) order.
constexpr Family kFamilies[] = {Family::eps_linear, Family::v_linear,   Family::eps_cos,   Family::v_cos,
                                Family::rf_mode,    Family::rf_lognorm, Family::rf_cosmap, Family::edm,
                                Family::edm_rf,     Family::edm_cos};

// The name a family is written with, before any "(...)".
const char* stem(Family f) {
  switch (f) {
    case Family::eps_linear: return "eps/linear";
    case Family::v_linear: return "v/linear";
    case Family::eps_cos: return "eps/cos";
    case Family::v_cos: return "v/cos";
    case Family::rf_mode: return "rf/mode";
    case Family::rf_lognorm: return "rf/lognorm";
    case Family::rf_cosmap: return "rf/cosmap";
    case Family::edm: return "edm";
    case Family::edm_rf: return "edm/rf";
    case Family::edm_cos: return "edm/cos";
  }
  throw std::logic_error("formulation family out of range");
}

// How many numbers follow the stem in parentheses.
int arity(Family f) {
  switch (f) {
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_cosmap:
    case Family::edm_rf:
    case Family::edm_cos: return 0;
    case Family::rf_mode: return 1;
    case Family::rf_lognorm:
    case Family::edm: return 2;
  }
  throw std::logic_error("formulation family out of range");
}

// +minsnr(g) reweights an ε- or v-prediction loss by min(SNR, g); the other targets have no such form.
bool takes_minsnr(Family f) {
  switch (f) {
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos: return true;
    case Family::rf_mode:
    case Family::rf_lognorm:
    case Family::rf_cosmap:
    case Family::edm:
    case Family::edm_rf:
    case Family::edm_cos: return false;
  }
  throw std::logic_error("formulation family out of range");
}

// The grids of SPEC §2.1 for parameter `index` (0: p1, 1: p2), in registry order; empty where the
// family has no such parameter.
const std::vector<double>& grid(Family f, int index) {
  static const std::vector<double> none;
  static const std::vector<double> mode = [] {
    std::vector<double> v;
    for (int i = 0; i <= 6; ++i) v.push_back(double(11 * i - 24) / 24.0);  // exact rationals, not linspace steps
    v.push_back(1.0);
    v.push_back(0.0);
    return v;
  }();
  static const std::vector<double> lognorm_m = {-1.0, -0.5, 0.0, 0.5, 1.0};
  static const std::vector<double> lognorm_s = {0.2, 0.6, 1.0, 1.4, 1.8, 2.2};
  static const std::vector<double> edm_pm = {-1.2, -0.6, 0.0, 0.6, 1.2};
  static const std::vector<double> edm_ps = {0.6, 1.2, 1.8};
  switch (f) {
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_cosmap:
    case Family::edm_rf:
    case Family::edm_cos: return none;
    case Family::rf_mode: return index == 0 ? mode : none;
    case Family::rf_lognorm: return index == 0 ? lognorm_m : lognorm_s;
    case Family::edm: return index == 0 ? edm_pm : edm_ps;
  }
  throw std::logic_error("formulation family out of range");
}

const char* kGrammar =
    "a formulation name: eps/linear, v/linear, eps/cos, v/cos, rf, rf/mode(s), rf/lognorm(m, s), rf/cosmap, "
    "edm(Pm, Ps), edm/rf or edm/cos (numbers as -?D.DD with two decimals and under 1e9, separator ', '), "
    "optionally +minsnr(g), +ztsnr";

// num := ["-"] digit+ "." digit digit. Gives the number's canonical text (no leading zeros, no
// "-0.00"), which is F of its value; built from the digits, so no rounding is involved. The
// integer part is capped so that 100·v stays far inside the range F rounds in.
bool canonical_number(const std::string& text, std::string& canonical) {
  size_t i = 0;
  const bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  const size_t int_begin = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == int_begin || i + 3 != text.size() || text[i] != '.' ||
      !std::isdigit(static_cast<unsigned char>(text[i + 1])) ||
      !std::isdigit(static_cast<unsigned char>(text[i + 2])))
    return false;
  std::string int_part = text.substr(int_begin, i - int_begin);
  int_part.erase(0, std::min(int_part.find_first_not_of('0'), int_part.size() - 1));
  if (int_part.size() > 9) return false;
  const std::string frac = text.substr(i + 1, 2);
  const bool zero = int_part == "0" && frac == "00";
  canonical = (negative && !zero ? "-" : "") + int_part + "." + frac;
  return true;
}

// D25: the grid value that prints as the same text, else the number itself (never -0.0).
double resolve(const std::string& canonical, const std::vector<double>& values) {
  for (double g : values)
    if (format_value(g) == canonical) return g;
  return std::strtod(canonical.c_str(), nullptr);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "STEM", "STEM(num)" or "STEM(num, num)" as the family's arity demands; the numbers' canonical
// texts go to `nums`.
bool match_base(const std::string& text, Family f, std::vector<std::string>& nums) {
  const std::string s = stem(f);
  const int n = arity(f);
  if (n == 0) return text == s;
  if (text.size() < s.size() + 2 || text.compare(0, s.size() + 1, s + "(") != 0 || text.back() != ')')
    return false;
  const std::string inner = text.substr(s.size() + 1, text.size() - s.size() - 2);
  nums.assign(n, "");
  if (n == 1) return canonical_number(inner, nums[0]);
  const size_t comma = inner.find(", ");
  return comma != std::string::npos && canonical_number(inner.substr(0, comma), nums[0]) &&
         canonical_number(inner.substr(comma + 2), nums[1]);
}

// The family and parameters of a name without modifiers; false when no family's form matches.
bool parse_base(const std::string& text, FormulationName& f) {
  for (Family family : kFamilies) {
    std::vector<std::string> nums;
    if (!match_base(text, family, nums)) continue;
    f.family = family;
    if (nums.size() > 0) f.p1 = resolve(nums[0], grid(family, 0));
    if (nums.size() > 1) f.p2 = resolve(nums[1], grid(family, 1));
    return true;
  }
  return false;
}

void check_parameters(const FormulationName& f, const std::string& full) {
  switch (f.family) {
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_cosmap:
    case Family::edm_rf:
    case Family::edm_cos: return;
    case Family::rf_mode:
      if (!(f.p1 >= -1.0 && f.p1 <= mode_scale_max())) {
        char bound[32];
        std::snprintf(bound, sizeof bound, "%.4f", mode_scale_max());
        throw FormulationNameError(
            std::string("a mode scale s in [-1, 2/(pi-2) = ") + bound + "] (the mode map is not monotone outside)", full);
      }
      return;
    case Family::rf_lognorm:
      if (!(f.p2 > 0)) throw FormulationNameError("a logit-normal scale s > 0 in rf/lognorm(m, s)", full);
      return;
    case Family::edm:
      if (!(f.p2 > 0)) throw FormulationNameError("an EDM scale Ps > 0 in edm(Pm, Ps)", full);
      return;
  }
  throw std::logic_error("formulation family out of range");
}

}  // namespace

FormulationNameError::FormulationNameError(const std::string& expected_, const std::string& name_)
    : UserError(input_error_message("", "formulation", expected_, "'" + name_ + "'")),
      expected(expected_),
      name(name_) {}

std::string format_value(double v) {
  const long long q = std::llround(100.0 * v);  // llround rounds halves away from zero
  const unsigned long long a = q < 0 ? 0ULL - static_cast<unsigned long long>(q) : static_cast<unsigned long long>(q);
  std::string frac = std::to_string(a % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (q < 0 ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

double mode_scale_max() { return 2.0 / (kPi - 2.0); }

FormulationName parse_formulation_name(const std::string& full) {
  FormulationName f;
  // Split the modifiers off the end, either order, each at most once.
  std::string rest = full;
  bool seen_minsnr = false;
  for (;;) {
    const std::string minsnr = "+minsnr(";
    const size_t at = rest.rfind(minsnr);
    std::string gamma;
    if (ends_with(rest, "+ztsnr")) {
      if (f.ztsnr) throw FormulationNameError("'+ztsnr' at most once", full);
      f.ztsnr = true;
      rest.resize(rest.size() - 6);
    } else if (at != std::string::npos && ends_with(rest, ")") &&
               canonical_number(rest.substr(at + minsnr.size(), rest.size() - at - minsnr.size() - 1), gamma)) {
      if (seen_minsnr) throw FormulationNameError("'+minsnr(g)' at most once", full);
      seen_minsnr = true;
      f.minsnr_gamma = std::strtod(gamma.c_str(), nullptr);
      if (!(f.minsnr_gamma > 0)) throw FormulationNameError("a min-SNR gamma > 0 in +minsnr(g)", full);
      rest.resize(at);
    } else {
      break;
    }
  }

  if (rest == "rf") f.family = Family::rf_mode;  // rf/mode(0.00)
  else if (!parse_base(rest, f)) throw FormulationNameError(kGrammar, full);
  check_parameters(f, full);
  if (f.minsnr_gamma > 0 && !takes_minsnr(f.family))
    throw FormulationNameError("+minsnr(g) only on eps/linear, v/linear, eps/cos or v/cos", full);
  if (f.ztsnr && f.family != Family::v_linear)
    throw FormulationNameError("+ztsnr only on v/linear (eps-prediction has no x0 estimate at zero terminal SNR)",
                               full);
  return f;
}

std::string formulation_name(const FormulationName& f) {
  std::string s = stem(f.family);
  switch (f.family) {
    case Family::eps_linear:
    case Family::v_linear:
    case Family::eps_cos:
    case Family::v_cos:
    case Family::rf_cosmap:
    case Family::edm_rf:
    case Family::edm_cos: break;
    case Family::rf_mode: s = f.p1 == 0.0 ? "rf" : s + "(" + format_value(f.p1) + ")"; break;
    case Family::rf_lognorm:
    case Family::edm: s += "(" + format_value(f.p1) + ", " + format_value(f.p2) + ")"; break;
  }
  if (f.minsnr_gamma > 0) s += "+minsnr(" + format_value(f.minsnr_gamma) + ")";
  if (f.ztsnr) s += "+ztsnr";
  return s;
}

std::string canonical_formulation_name(const std::string& name) {
  return formulation_name(parse_formulation_name(name));
}

const std::vector<std::string>& paper61_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (Family family : kFamilies) {
      FormulationName f;
      f.family = family;
      const auto& g0 = grid(family, 0);
      const auto& g1 = grid(family, 1);
      if (g0.empty()) v.push_back(formulation_name(f));
      for (double p1 : g0) {
        f.p1 = p1;
        if (g1.empty()) v.push_back(formulation_name(f));
        for (double p2 : g1) {
          f.p2 = p2;
          v.push_back(formulation_name(f));
        }
      }
    }
    return v;
  }();
  return names;
}

}  // namespace rflab::results
