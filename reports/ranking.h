// Average non-dominated ranks of the variants of a study (SPEC §6). Within every control setting
// and seed the variants are sorted into fronts (non_dominated_sort.h); a variant's rank over a
// group of settings is the mean of its front indices there (lower is better). With several seeds,
// ranks are computed per seed (variants of one seed share initialisation and data order, D26),
// averaged over the seeds, and a bootstrap over seeds — and over the evaluation samples, when
// their per-sample figures are stored — gives each average its 90% interval.
//
// Columns: `all` groups R_all, R_5 (N = 5), R_50 (N = 50, w = 5.0, D15) and R_50,all-cfg (N = 50,
// every w), the paper's Table 1; `steps`, `weights` and `dataset` give R_all and then one column
// per sampling-step count, weights kind or dataset.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reports/bootstrap.h"
#include "reports/score.h"

namespace rflab::reports {

enum class RankBy { all, steps, weights, dataset };
RankBy rank_by_from_string(const std::string& s);  // throws std::invalid_argument

struct RankColumn {
  std::string name;  // "all", "5 steps", "50 steps", "ema", ...
  std::function<bool(const SettingKey&)> includes;
};
std::vector<RankColumn> rank_columns(RankBy by, const ScoreTable& table);

struct RankOptions {
  RankBy by = RankBy::all;
  int resamples = kBootstrapResamples;
  uint64_t seed = kBootstrapSeed;
  double level = 0.90;
  // When set, each bootstrap draw also resamples the evaluation samples: it returns the table
  // with every point recomputed from one draw of sample indices (sample_bootstrap.h).
  std::function<ScoreTable(Resampler&)> resample_scores;
};

// The fronts of one control setting and seed, per variant (0: the variant has no point there).
struct SettingFronts {
  SettingKey setting;
  int64_t seed = 0;
  std::vector<int> front;  // by variant index
};

struct VariantRanks {
  std::string variant;
  std::vector<double> mean;                   // by column: mean over seeds; NaN where no setting
  std::vector<Interval> interval;             // by column: bootstrap over seeds at `level`
  std::vector<std::vector<double>> per_seed;  // [column][seed index]; NaN where none
  int settings_ranked = 0;                    // (setting, seed) pairs with a point
};

struct Ranking {
  std::vector<std::string> columns;
  std::vector<int64_t> seeds;            // ascending
  std::vector<SettingKey> settings;      // every setting seen, sorted
  std::vector<SettingFronts> fronts;     // (setting, seed) in settings × seeds order
  std::vector<VariantRanks> variants;    // study order
  std::vector<size_t> order;             // variant indices by mean of the first column, best first
  std::vector<MissingEvaluation> missing;
  double level = 0.90;
  int resamples = 0;
  std::vector<std::string> notes;  // printed under the verdict (e.g. why samples were not resampled)
  std::string interval_source;  // "over 3 seeds", "over the evaluation samples", ... ("" = none)
  // What the intervals say of the leaders, in a sentence for the output.
  std::string verdict;
  bool leaders_overlap = false;
};

// Throws std::invalid_argument when the table has no finite or non-finite point at all.
Ranking rank_variants(const ScoreTable& table, const RankOptions& options = {});

}  // namespace rflab::reports
