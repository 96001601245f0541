// What "better" means for each figure `rflab regress` compares, and how large a difference must
// be before it counts: the one table of directions and minimum effects. A metric without a rule
// (network evaluations, seconds, path length) is not a quality figure and is not compared.
//
// The minimum effect of a metric at a base mean m is max(min_absolute, min_relative·|m|). The
// defaults sit above the seed noise of the canary's figures (measured from two disjoint sets of
// seeds of real canary runs; tests/reports/regression_noise_test.cpp holds them), so seed noise
// alone never reaches them.
#pragma once
#include <string>
#include <vector>

namespace rflab::reports {

enum class Better { lower, higher };
std::string to_string(Better b);  // "lower" | "higher"

struct RegressionRule {
  std::string metric;  // the store's metric name
  Better better;
  double min_absolute;
  double min_relative;
  std::string meaning;  // one line for the reports
};

const std::vector<RegressionRule>& regression_rules();
const RegressionRule* regression_rule(const std::string& metric);  // nullptr: not compared

// max(min_absolute, min_relative·|base_mean|), scaled by `scale` (the --min-effect-scale flag).
double min_effect(const RegressionRule& rule, double base_mean, double scale = 1.0);

}  // namespace rflab::reports
