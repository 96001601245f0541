#include "core/data/shapes/prompt_score.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rflab::shapes {

namespace {
constexpr double kZ = 1.959963984540054;  // the standard normal's 97.5% quantile
}

Interval wilson_interval(int successes, int n) {
  if (n <= 0 || successes < 0 || successes > n) throw std::invalid_argument("wilson_interval: need 0 <= successes <= n, n > 0");
  const double p = static_cast<double>(successes) / n, z2 = kZ * kZ, nn = static_cast<double>(n);
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = kZ / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

PromptScore score_prompts(const std::vector<Prompt>& prompts, const std::vector<std::vector<DetectedObject>>& found) {
  if (prompts.empty() || prompts.size() != found.size())
    throw std::invalid_argument("score_prompts: expected one detection list per prompt, got " +
                                std::to_string(found.size()) + " for " + std::to_string(prompts.size()) + " prompts");
  std::vector<CategoryScore> by(kCategoryCount);
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto& c = by[static_cast<size_t>(prompts[i].category)];
    ++c.prompts;
    c.satisfied += satisfied(prompts[i], found[i]) ? 1 : 0;
  }
  PromptScore out;
  double variance = 0;
  for (int k = 0; k < kCategoryCount; ++k) {
    auto& c = by[static_cast<size_t>(k)];
    if (c.prompts == 0) continue;
    c.category = static_cast<Category>(k);
    c.rate = static_cast<double>(c.satisfied) / c.prompts;
    c.interval = wilson_interval(c.satisfied, c.prompts);
    variance += c.rate * (1 - c.rate) / c.prompts;
    out.categories.push_back(c);
  }
  const double m = static_cast<double>(out.categories.size());
  for (const auto& c : out.categories) out.overall += c.rate / m;
  const double half = kZ * std::sqrt(variance) / m;
  out.overall_interval = {std::max(0.0, out.overall - half), std::min(1.0, out.overall + half)};
  return out;
}

}  // namespace rflab::shapes
