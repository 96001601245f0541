// Canonical names (SPEC §2.2, D25): print, parse and the 61-entry registry of §2.3.
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <regex>

#include "core/formulation/formulation.h"
#include "core/formulation/schedules.h"
#include "results/error.h"

namespace rflab::core {
namespace {

// F(v): q = round_half_away_from_zero(100 v), printed as q/100 with two decimals; never "-0.00".
std::string fmt_value(double v) {
  long long q = std::llround(100.0 * v);
  long long aq = q < 0 ? -q : q;
  return fmt::format("{}{}.{:02d}", q < 0 ? "-" : "", aq / 100, aq % 100);
}

const std::vector<double>& mode_grid() {
  static const std::vector<double> g = [] {
    std::vector<double> v;
    for (int i = 0; i <= 6; ++i) v.push_back(double(11 * i - 24) / 24.0);  // exact rationals
    v.push_back(1.0);
    v.push_back(0.0);
    return v;
  }();
  return g;
}
const std::vector<double> kLognormM = {-1.0, -0.5, 0.0, 0.5, 1.0};
const std::vector<double> kLognormS = {0.2, 0.6, 1.0, 1.4, 1.8, 2.2};
const std::vector<double> kEdmPm = {-1.2, -0.6, 0.0, 0.6, 1.2};
const std::vector<double> kEdmPs = {0.6, 1.2, 1.8};

// Same shape as rflab::input_error_message ("FIELD: expected WHAT, got GOT"); formatted here
// because core/formulation does not link the results library that defines it.
[[noreturn]] void bad(const std::string& name, const std::string& expected) {
  throw UserError("formulation: expected " + expected + ", got '" + name + "'");
}

// Resolve a parsed number to the grid value printing as the same text, else keep it (D25).
double resolve(const std::string& text, const std::vector<double>& grid) {
  for (double g : grid)
    if (fmt_value(g) == text) return g;
  double v = std::stod(text);
  return v == 0.0 ? 0.0 : v;  // no negative zero
}

const char* kNum = R"((-?[0-9]+\.[0-9][0-9]))";

}  // namespace

std::string Formulation::name() const {
  std::string base;
  switch (family_) {
    case Family::eps_linear: base = "eps/linear"; break;
    case Family::v_linear: base = "v/linear"; break;
    case Family::eps_cos: base = "eps/cos"; break;
    case Family::v_cos: base = "v/cos"; break;
    case Family::rf_mode: base = p1_ == 0.0 ? "rf" : "rf/mode(" + fmt_value(p1_) + ")"; break;
    case Family::rf_lognorm: base = "rf/lognorm(" + fmt_value(p1_) + ", " + fmt_value(p2_) + ")"; break;
    case Family::rf_cosmap: base = "rf/cosmap"; break;
    case Family::edm: base = "edm(" + fmt_value(p1_) + ", " + fmt_value(p2_) + ")"; break;
    case Family::edm_rf: base = "edm/rf"; break;
    case Family::edm_cos: base = "edm/cos"; break;
  }
  if (minsnr_ > 0) base += "+minsnr(" + fmt_value(minsnr_) + ")";
  if (ztsnr_) base += "+ztsnr";
  return base;
}

Formulation Formulation::parse(const std::string& full) {
  Formulation f;
  // Split off the "+minsnr(g)" and "+ztsnr" modifiers (either order, each at most once).
  std::string rest = full;
  bool seen_minsnr = false;
  static const std::regex minsnr_re(std::string(R"(\+minsnr\()") + kNum + R"(\)$)");
  static const std::regex ztsnr_re(R"(\+ztsnr$)");
  for (;;) {
    std::smatch m;
    if (std::regex_search(rest, m, ztsnr_re)) {
      if (f.ztsnr_) bad(full, "'+ztsnr' at most once");
      f.ztsnr_ = true;
    } else if (std::regex_search(rest, m, minsnr_re)) {
      if (seen_minsnr) bad(full, "'+minsnr(g)' at most once");
      seen_minsnr = true;
      f.minsnr_ = std::stod(m[1].str());
      if (!(f.minsnr_ > 0)) bad(full, "a min-SNR gamma > 0 in +minsnr(g)");
    } else {
      break;
    }
    rest = m.prefix().str();
  }

  static const std::regex mode_re(std::string(R"(rf/mode\()") + kNum + R"(\))");
  static const std::regex ln_re(std::string(R"(rf/lognorm\()") + kNum + ", " + kNum + R"(\))");
  static const std::regex edm_re(std::string(R"(edm\()") + kNum + ", " + kNum + R"(\))");
  std::smatch m;
  if (rest == "eps/linear") f.family_ = Family::eps_linear;
  else if (rest == "v/linear") f.family_ = Family::v_linear;
  else if (rest == "eps/cos") f.family_ = Family::eps_cos;
  else if (rest == "v/cos") f.family_ = Family::v_cos;
  else if (rest == "rf") f.family_ = Family::rf_mode;
  else if (rest == "rf/cosmap") f.family_ = Family::rf_cosmap;
  else if (rest == "edm/rf") f.family_ = Family::edm_rf;
  else if (rest == "edm/cos") f.family_ = Family::edm_cos;
  else if (std::regex_match(rest, m, mode_re)) {
    f.family_ = Family::rf_mode;
    f.p1_ = resolve(m[1].str(), mode_grid());
    if (!(f.p1_ >= -1.0 && f.p1_ <= sched::mode_scale_max()))
      bad(full, fmt::format("a mode scale s in [-1, 2/(pi-2) = {:.4f}] (the mode map is not monotone outside)",
                            sched::mode_scale_max()));
  } else if (std::regex_match(rest, m, ln_re)) {
    f.family_ = Family::rf_lognorm;
    f.p1_ = resolve(m[1].str(), kLognormM);
    f.p2_ = resolve(m[2].str(), kLognormS);
    if (!(f.p2_ > 0)) bad(full, "a logit-normal scale s > 0 in rf/lognorm(m, s)");
  } else if (std::regex_match(rest, m, edm_re)) {
    f.family_ = Family::edm;
    f.p1_ = resolve(m[1].str(), kEdmPm);
    f.p2_ = resolve(m[2].str(), kEdmPs);
    if (!(f.p2_ > 0)) bad(full, "an EDM scale Ps > 0 in edm(Pm, Ps)");
  } else {
    bad(full, "one of eps/linear, v/linear, eps/cos, v/cos, rf, rf/mode(s), rf/lognorm(m, s), rf/cosmap, "
              "edm(Pm, Ps), edm/rf, edm/cos (numbers as -?D.DD, separator ', '), optionally +minsnr(g), +ztsnr");
  }
  bool eps_or_v = f.family_ == Family::eps_linear || f.family_ == Family::v_linear ||
                  f.family_ == Family::eps_cos || f.family_ == Family::v_cos;
  if (f.minsnr_ > 0 && !eps_or_v) bad(full, "+minsnr(g) only on eps/linear, v/linear, eps/cos or v/cos");
  if (f.ztsnr_ && f.family_ != Family::v_linear)
    bad(full, "+ztsnr only on v/linear (eps-prediction has no x0 estimate at zero terminal SNR)");
  return f;
}

const std::vector<std::string>& Formulation::registry() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"eps/linear", "v/linear", "eps/cos", "v/cos"};
    for (double s : mode_grid()) v.push_back(s == 0.0 ? "rf" : "rf/mode(" + fmt_value(s) + ")");
    for (double m : kLognormM)
      for (double s : kLognormS) v.push_back("rf/lognorm(" + fmt_value(m) + ", " + fmt_value(s) + ")");
    v.push_back("rf/cosmap");
    for (double pm : kEdmPm)
      for (double ps : kEdmPs) v.push_back("edm(" + fmt_value(pm) + ", " + fmt_value(ps) + ")");
    v.push_back("edm/rf");
    v.push_back("edm/cos");
    return v;
  }();
  return names;
}

void Formulation::set_shift(double alpha) {
  if (!(alpha > 0 && std::isfinite(alpha)))
    throw UserError(fmt::format("shift: expected a finite alpha > 0, got {}", alpha));
  alpha_ = alpha;
}

bool Formulation::operator==(const Formulation& o) const {
  auto same = [](double x, double y) { return std::memcmp(&x, &y, sizeof(double)) == 0; };
  return family_ == o.family_ && same(p1_, o.p1_) && same(p2_, o.p2_) && same(minsnr_, o.minsnr_) &&
         ztsnr_ == o.ztsnr_ && same(alpha_, o.alpha_);
}

}  // namespace rflab::core
