#include "sweeps/matched_parameters.h"

#include <cmath>
#include <numeric>
#include <fmt/format.h>

#include "core/model/shape/model_size.h"
#include "results/error.h"

namespace rflab::sweeps {

using nlohmann::json;

int64_t parameters_of(const json& flat, const std::string& source) {
  const auto rc = results::RunConfig::parse(flat, source);
  return core::parameter_count(core::BackboneConfig::from_run_config(rc));
}

std::vector<Assignment> match_parameters(const json& base, const std::vector<Assignment>& variants, int64_t target,
                                         const std::string& adjust, const std::string& file, const std::string& path) {
  std::vector<Assignment> out;
  for (size_t v = 0; v < variants.size(); ++v) {
    const std::string where = path + ".variants[" + std::to_string(v) + "]";
    json config = base;
    for (const auto& [key, value] : variants[v]) config[key] = value;
    const auto shape = results::RunConfig::parse(config, file + ": " + where);
    // Either way the head count stays (under the sizing rule it would follow the depth).
    const int64_t heads = shape.model.num_heads();
    config["model.heads"] = heads;
    // The candidate sizes, smallest first; the count grows with either.
    std::vector<int64_t> sizes;
    std::string key;
    if (adjust == "width") {
      key = "model.width";
      // The finest steps a width may take: a multiple of 4 (the position table) and of the heads.
      const int64_t step = std::lcm(int64_t{4}, heads);
      for (int64_t w = step; w <= 16384; w += step) sizes.push_back(w);
    } else {
      key = "model.depth";
      if (shape.model.width == 0)
        throw_input_error(file, where, "model.width set in the base (adjust: depth keeps the width)",
                          "the width left to 64·depth");
      for (int64_t d = 1; d <= 64; ++d) sizes.push_back(d);
    }
    int64_t best = -1, best_count = 0;
    for (int64_t s : sizes) {
      config[key] = s;
      const int64_t n = parameters_of(config, file + ": " + where);
      if (best < 0 || std::llabs(n - target) < std::llabs(best_count - target)) {
        best = s;
        best_count = n;
      }
      if (n > target) break;  // counts only grow from here
    }
    const double off = std::fabs(static_cast<double>(best_count - target)) / static_cast<double>(target);
    if (off > kMatchedParametersTolerance)
      throw_input_error(file, where,
                        fmt::format("a {} that brings the parameter count within 5% of {}", adjust, target),
                        fmt::format("at best {} parameters ({} {}, {:.1f}% off)", best_count, adjust, best, 100 * off));
    Assignment a = variants[v];
    a.emplace_back("model.heads", json(heads));
    a.emplace_back(key, json(best));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace rflab::sweeps
