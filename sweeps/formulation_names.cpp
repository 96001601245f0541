#include "sweeps/formulation_names.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace rflab::sweeps {

std::string format_value(double v) {
  const long long q = std::llround(100.0 * v);  // llround rounds halves away from zero
  const unsigned long long a = q < 0 ? 0ULL - static_cast<unsigned long long>(q)
                                     : static_cast<unsigned long long>(q);
  std::string frac = std::to_string(a % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (q < 0 ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

const std::vector<std::string>& paper61_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"eps/linear", "v/linear", "eps/cos", "v/cos"};
    // s_i = (11·i − 24)/24 exactly, not accumulated linspace steps (SPEC §2.1).
    for (int i = 0; i <= 6; ++i) n.push_back("rf/mode(" + format_value((11.0 * i - 24.0) / 24.0) + ")");
    n.push_back("rf/mode(1.00)");
    n.push_back("rf");
    for (double m : {-1.0, -0.5, 0.0, 0.5, 1.0})
      for (double s : {0.2, 0.6, 1.0, 1.4, 1.8, 2.2})
        n.push_back("rf/lognorm(" + format_value(m) + ", " + format_value(s) + ")");
    n.push_back("rf/cosmap");
    for (double pm : {-1.2, -0.6, 0.0, 0.6, 1.2})
      for (double ps : {0.6, 1.2, 1.8})
        n.push_back("edm(" + format_value(pm) + ", " + format_value(ps) + ")");
    n.push_back("edm/rf");
    n.push_back("edm/cos");
    return n;
  }();
  return names;
}

namespace {

constexpr double kPi = 3.14159265358979323846;

const char* kGrammar =
    "a formulation name: eps/linear, v/linear, eps/cos, v/cos, rf, rf/cosmap, edm/rf, edm/cos, "
    "rf/mode(s), rf/lognorm(m, s) or edm(Pm, Ps) with numbers like -0.50";

// num := ["-"] digit+ "." digit digit. Returns the canonical text (no leading zeros, no
// negative zero) and its value; the text is rebuilt from digits so no rounding is involved.
bool parse_num(const std::string& text, std::string& canonical, double& value) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && text[i] == '-') neg = true, ++i;
  const size_t int_begin = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == int_begin || i + 3 != text.size() || text[i] != '.' ||
      !std::isdigit(static_cast<unsigned char>(text[i + 1])) ||
      !std::isdigit(static_cast<unsigned char>(text[i + 2])))
    return false;
  std::string int_part = text.substr(int_begin, i - int_begin);
  int_part.erase(0, std::min(int_part.find_first_not_of('0'), int_part.size() - 1));
  if (int_part.size() > 9) return false;  // beyond any meaningful parameter
  const std::string frac = text.substr(i + 1, 2);
  const bool zero = int_part == "0" && frac == "00";
  canonical = (neg && !zero ? "-" : "") + int_part + "." + frac;
  value = std::strtod(canonical.c_str(), nullptr);
  return true;
}

bool strip(const std::string& name, const std::string& prefix, std::string& inner) {
  if (name.size() < prefix.size() + 1 || name.compare(0, prefix.size(), prefix) != 0 ||
      name.back() != ')')
    return false;
  inner = name.substr(prefix.size(), name.size() - prefix.size() - 1);
  return true;
}

}  // namespace

std::string canonical_formulation_name(const std::string& name) {
  for (const char* fixed :
       {"eps/linear", "v/linear", "eps/cos", "v/cos", "rf", "rf/cosmap", "edm/rf", "edm/cos"})
    if (name == fixed) return name;
  std::string inner, a, b;
  double x = 0, y = 0;
  if (strip(name, "rf/mode(", inner)) {
    if (!parse_num(inner, a, x)) throw std::invalid_argument(kGrammar);
    if (x < -1.0 || x > 2.0 / (kPi - 2.0))
      throw std::invalid_argument("rf/mode(s) with -1 <= s <= 2/(pi-2) ~ 1.7519");
    return a == "0.00" ? "rf" : "rf/mode(" + a + ")";
  }
  const bool lognorm = strip(name, "rf/lognorm(", inner);
  if (lognorm || strip(name, "edm(", inner)) {
    const size_t comma = inner.find(", ");
    if (comma == std::string::npos || !parse_num(inner.substr(0, comma), a, x) ||
        !parse_num(inner.substr(comma + 2), b, y))
      throw std::invalid_argument(kGrammar);
    if (y <= 0)
      throw std::invalid_argument(lognorm ? "rf/lognorm(m, s) with s > 0" : "edm(Pm, Ps) with Ps > 0");
    return (lognorm ? "rf/lognorm(" : "edm(") + a + ", " + b + ")";
  }
  throw std::invalid_argument(kGrammar);
}

}  // namespace rflab::sweeps
