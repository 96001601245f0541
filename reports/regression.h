// The verdict of `rflab regress compare`: for every figure of a canary suite, its distribution
// over seeds at a base and a head commit, the difference of means (head − base) with a Welch
// interval, and a verdict.
//
//   unchanged      every seed's figure is bit-identical at both commits (the code did not change
//                  the numbers: on a CPU at a fixed thread count a rerun is exactly this);
//   numerics-only  the figures differ, but the difference is inside the seed noise (the interval
//                  holds 0) or below the metric's minimum effect (reports/regression_rules.h);
//   better, worse  the interval excludes 0 and the difference reaches the minimum effect, in the
//                  metric's direction of "better". A figure that turned non-finite is worse.
//   incomparable   the figure is missing at one commit, or was measured at another N.
#pragma once
#include <string>
#include <vector>

#include "reports/canary_figures.h"
#include "reports/regression_rules.h"
#include "reports/welch.h"

namespace rflab::reports {

enum class Verdict { better, worse, unchanged, numerics_only, incomparable };
std::string to_string(Verdict v);  // "better", "worse", "unchanged", "numerics-only", "incomparable"

struct MetricComparison {
  CanaryFigure figure;
  RegressionRule rule;
  std::vector<double> base, head;  // per seed
  double base_mean = 0, head_mean = 0, base_sd = 0, head_sd = 0;
  WelchDifference difference;      // head − base; unset (n 0) when incomparable or unchanged
  double min_effect = 0;
  Verdict verdict = Verdict::incomparable;
  std::string reason;              // one sentence: why this verdict
};

struct RegressionOptions {
  double level = 0.95;             // of the Welch interval
  double min_effect_scale = 1.0;   // multiplies every rule's minimum effect
};

struct RegressionComparison {
  CanaryFigures base, head;
  RegressionOptions options;
  std::vector<MetricComparison> metrics;  // in figure order
  std::vector<std::string> notes;         // incomplete canaries, different seeds, ...

  bool regressed() const;  // some metric is worse
  size_t count(Verdict v) const;
  std::string summary() const;  // one line: "no regression: 8 unchanged" / "regression in clip_fid (S4, ema)"
};

RegressionComparison compare_canaries(const CanaryFigures& base, const CanaryFigures& head,
                                      const RegressionOptions& options = {});

// Mean and sample standard deviation (0 for one value) of the finite values.
double finite_mean(const std::vector<double>& v);
double finite_sd(const std::vector<double>& v);

}  // namespace rflab::reports
