#include "reports/regression_rules.h"
#include "results/metric_names.h"

#include <algorithm>
#include <cmath>

namespace rflab::reports {

namespace metric = results::metric;

std::string to_string(Better b) { return b == Better::lower ? "lower" : "higher"; }

const std::vector<RegressionRule>& regression_rules() {
  // Each minimum effect is about 1.5 times the largest difference of means that seed noise alone
  // gives the canary (sweeps/canary.json, 5 seeds): over the 252 ways of splitting ten seeds into
  // two canaries of five (tests/data/canary-seed-noise.json), the largest differences are 3.3% of
  // the validation losses, 14% of CLIP-FID, 8% of CLIP-KID, 10% of the classifier FD, 0.029 of
  // CLIP score, 0.062 of class accuracy, 0.044 of precision, 0.040 of density and 24% of coverage.
  // Recall is too noisy at N = 100 to be more than a guard against collapse (0.013 on 0.010).
  static const std::vector<RegressionRule> rules = {
      {"val/native", Better::lower, 0.0, 0.05, "validation loss in the formulation's own weighting (SPEC §5.1)"},
      {"val/velocity", Better::lower, 0.0, 0.05, "validation loss of the implied velocity (SPEC §5.1)"},
      {metric::kClipFid, Better::lower, 0.0, 0.20, "Fréchet distance in the evaluator mini-CLIP's image space"},
      {metric::kClipKid, Better::lower, 0.002, 0.15, "kernel inception distance in the mini-CLIP space"},
      {metric::kClipScore, Better::higher, 0.045, 0.0, "mean cosine of image and caption embeddings"},
      {metric::kClassifierFd, Better::lower, 0.0, 0.15, "Fréchet distance in the classifier's feature space"},
      {metric::kClassAccuracy, Better::higher, 0.10, 0.0, "share of samples the classifier assigns their caption's class"},
      {metric::kPrecision, Better::higher, 0.07, 0.0, "share of samples on the real-image manifold (k = 5)"},
      {metric::kRecall, Better::higher, 0.05, 0.0, "share of real images on the samples' manifold (k = 5)"},
      {metric::kDensity, Better::higher, 0.06, 0.0, "sample density around real images (k = 5)"},
      {metric::kCoverage, Better::higher, 0.0, 0.35, "share of real images with a sample among their k = 5 neighbours"},
  };
  return rules;
}

const RegressionRule* regression_rule(const std::string& metric) {
  for (const auto& r : regression_rules())
    if (r.metric == metric) return &r;
  return nullptr;
}

double min_effect(const RegressionRule& rule, double base_mean, double scale) {
  return scale * std::max(rule.min_absolute, rule.min_relative * std::abs(base_mean));
}

}  // namespace rflab::reports
