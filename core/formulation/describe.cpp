#include "core/formulation/describe.h"

#include <fmt/format.h>

#include <cmath>

namespace rflab::core {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json grid_json(const Formulation& f, int64_t steps, GridMode mode) {
  auto out = nlohmann::json::array();
  for (const auto& l : f.grid_values(steps, mode)) out.push_back({{"t", l.t}, {"sigma", number(l.sigma)}});
  return out;
}

}  // namespace

const std::vector<double>& describe_times() {
  static const std::vector<double> t = [] {
    std::vector<double> v;
    for (int j = 1; j <= 19; ++j) v.push_back(double(j) / 20.0);
    return v;
  }();
  return t;
}

nlohmann::json describe_json(const Formulation& f, int64_t steps) {
  auto table = nlohmann::json::array();
  for (double t : describe_times()) {
    LevelValues l = f.level(t);
    table.push_back({{"t", t}, {"a", l.a}, {"b", l.b}, {"lambda", number(f.log_snr(t))},
                     {"w", number(f.weight(t))}, {"pi", number(f.density(t))}});
  }
  return {{"name", f.name()},
          {"shift", f.shift()},
          {"table", table},
          {"grid", {{"steps", steps}, {"native", grid_json(f, steps, GridMode::native)},
                    {"shared", grid_json(f, steps, GridMode::shared)}}}};
}

std::string describe_text(const Formulation& f, int64_t steps) {
  auto j = describe_json(f, steps);
  auto num = [](const nlohmann::json& v) { return v.is_null() ? std::string("inf") : fmt::format("{:.6g}", v.get<double>()); };
  std::string s = fmt::format("{}  (shift {})\n\n{:>6} {:>12} {:>12} {:>12} {:>12} {:>12}\n", f.name(), f.shift(), "t",
                              "a_t", "b_t", "lambda_t", "w_t", "pi(t)");
  for (const auto& r : j["table"])
    s += fmt::format("{:>6.2f} {:>12} {:>12} {:>12} {:>12} {:>12}\n", r["t"].get<double>(), num(r["a"]), num(r["b"]),
                     num(r["lambda"]), num(r["w"]), num(r["pi"]));
  for (const char* mode : {"native", "shared"}) {
    s += fmt::format("\nsampler grid ({}, {} steps):\n{:>4} {:>12} {:>12}\n", mode, steps, "i", "t", "sigma");
    int i = 0;
    for (const auto& l : j["grid"][mode]) s += fmt::format("{:>4} {:>12} {:>12}\n", i++, num(l["t"]), num(l["sigma"]));
  }
  return s;
}

}  // namespace rflab::core
