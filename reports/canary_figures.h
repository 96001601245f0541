// The figures of a canary (results/canary.h) per seed, as `rflab regress` compares them: every
// evaluation of its runs at their latest evaluated checkpoint, the validation losses included,
// whose metric has a regression rule (reports/regression_rules.h). And the canary a commit name
// stands for.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "results/store.h"

namespace rflab::reports {

// One figure of a canary run: a metric under one evaluation setting and weights kind.
struct CanaryFigure {
  std::string metric;   // the store's name: val/native, clip_fid, class_accuracy, ...
  std::string setting;  // "val" for the validation losses, else the sampler setting (S4)
  std::string weights;  // ema | raw
  int64_t n = 0;        // samples (or validation pairs) behind it; figures compare only at equal N

  std::string name() const;  // "val/native (ema)", "clip_fid (S4, ema)"
  bool operator<(const CanaryFigure& o) const {
    return std::tie(setting, weights, metric, n) < std::tie(o.setting, o.weights, o.metric, o.n);
  }
  bool operator==(const CanaryFigure& o) const {
    return std::tie(setting, weights, metric, n) == std::tie(o.setting, o.weights, o.metric, o.n);
  }
};

struct CanaryFigures {
  results::CanaryRow canary;
  std::vector<int64_t> seeds;                          // one per run, in the suite's order
  std::map<CanaryFigure, std::vector<double>> values;  // aligned with seeds; NaN: diverged or absent
  std::vector<std::string> problems;                   // runs that are not done or not evaluated
};

CanaryFigures canary_figures(const results::Store& store, const results::CanaryRow& canary);

// The canary a commit name stands for. `name` is resolved by git in repo_dir (SHA, short SHA,
// branch, tag, HEAD~3); without a checkout that knows it, a stored commit it is a prefix of
// (4 hex digits or more) is taken. Of the suite's canaries at that commit the latest complete
// one wins, a clean tree before a dirty one.
struct CanaryLookup {
  std::optional<results::CanaryRow> canary;
  std::string commit;   // the SHA the name resolved to; empty when it resolved to none
  std::string message;  // why there is no canary, for the user
};
CanaryLookup find_canary(const std::vector<results::CanaryRow>& canaries, const std::string& suite,
                         const std::string& name, const std::string& repo_dir);

// "1a2b3c4d5e6f" or "1a2b3c4d5e6f+dirty": how reports name a canary's code.
std::string short_code_version(const results::CanaryRecord& c);

}  // namespace rflab::reports
