// Canonical names (SPEC §2.2, §2.3, D25): translations to and from results::FormulationName, the
// one grammar the sweep files use too, so core accepts and prints exactly what a sweep stores.
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "core/formulation/formulation.h"
#include "results/error.h"

namespace rflab::core {

std::string Formulation::name() const {
  results::FormulationName n;
  n.family = family_;
  n.p1 = p1_;
  n.p2 = p2_;
  n.minsnr_gamma = minsnr_;
  n.ztsnr = ztsnr_;
  return results::formulation_name(n);
}

Formulation Formulation::parse(const std::string& name) {
  const results::FormulationName n = results::parse_formulation_name(name);
  Formulation f;
  f.family_ = n.family;
  f.p1_ = n.p1;
  f.p2_ = n.p2;
  f.minsnr_ = n.minsnr_gamma;
  f.ztsnr_ = n.ztsnr;
  return f;
}

const std::vector<std::string>& Formulation::registry() { return results::paper61_names(); }

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
