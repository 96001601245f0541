// Prompt following in the layout of the paper's Table 5 (GenEval): one row per run — and per
// variant with several seeds, their mean — with the overall score and GenEval's six category
// rates, each with its 95% interval. Read from the rows `rflab eval` stores for runs on the
// `shapes` dataset (results/metric_names.h: prompt_score, prompt/<tag>, feature space
// "shapes-detector"), at one sampler setting per run (reference_prompt_setting).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/bootstrap.h"
#include "reports/float_constants.h"
#include "reports/score.h"
#include "reports/study_runs.h"
#include "results/metric_names.h"
#include "results/store.h"

namespace rflab::reports {

// The feature space of the prompt rows: the shapes dataset's exact detector (docs/shapes.md).
inline constexpr const char* kPromptFeatureSpace = results::metric::kShapesDetectorSpace;

// GenEval's category tags, in Table 5's column order: single_object, two_object, counting,
// colors, position, color_attr.
const std::vector<std::string>& geneval_categories();

// One figure of the table: a rate in [0, 1] with its 95% interval, over n prompts (for a
// variant's mean: the prompts of all its seeds).
struct PromptRate {
  double rate = kNaN;
  Interval ci{kNaN, kNaN};
  int64_t n = 0;
};

struct PromptFollowingRow {
  std::string variant;
  std::optional<int64_t> seed;  // absent: the variant's mean over `seeds` runs
  int seeds = 1;
  int64_t run_id = -1;          // -1 for a variant's mean
  std::string setting;          // "S3 ema (50 steps, CFG 5)"; a mean row's, when its seeds share it
  std::optional<PromptRate> overall;                    // prompt_score
  std::vector<std::optional<PromptRate>> categories;    // by geneval_categories(); absent: not stored
};

struct PromptFollowingTable {
  std::vector<PromptFollowingRow> rows;  // by variant in study order: its runs, then its mean row
  std::string caption;                   // the setting chosen and how each figure is computed
};

// The setting a run's prompt rows are read at: EMA weights (the raw ones only where a run has no
// EMA prompt rows), then the most sampler steps, then the highest CFG scale — the setting closest
// to the converged sampler. nullopt when `rows` hold no prompt row.
std::optional<SettingKey> reference_prompt_setting(const std::vector<results::EvaluationRow>& rows);

// The table of the study's runs that have prompt rows at their latest evaluated checkpoint;
// nullopt when none has. A variant with two or more such runs gets a mean row: per column, the
// mean over seeds with the Student-t 95% interval over seeds, mean ± t_{0.975, k−1}·s/√k (s the
// sample SD of the k per-seed rates), clipped to [0, 1].
std::optional<PromptFollowingTable> prompt_following_table(const results::Store& store, const std::vector<StudyRun>& runs);

// "61.2 [58.3, 64.0]": percent with one decimal; "-" when absent or not finite.
std::string prompt_rate_cell(const std::optional<PromptRate>& r);

// The caption and the Markdown pipe table (variant, seed, setting, overall, the six categories).
std::string prompt_following_markdown(const PromptFollowingTable& t);

}  // namespace rflab::reports
