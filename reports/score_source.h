// Where a ranking's points come from: the store (every sampler-setting evaluation of a study's
// runs) or a CSV of results computed elsewhere. Both list what is missing instead of dropping it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "reports/csv.h"
#include "reports/score.h"
#include "reports/study_runs.h"
#include "results/store.h"

namespace rflab::reports {

// Which stored figures are ranked. The defaults are the evaluator mini-CLIP's CLIP-FID and raw
// cosine CLIP score (SPEC §5.4); inception_fid or classifier_fd, and clip_score_100, are the
// alternatives. n = 0 takes the N most evaluations of the study share (figures are compared only
// at equal N).
struct ScoreMetrics {
  std::string fid = "clip_fid";
  std::string clip = "clip_score";
  int64_t n = 0;
};

// The FID-like metrics the store may hold (lower is better) and the CLIP-score ones (higher).
const std::vector<std::string>& fid_metric_names();
const std::vector<std::string>& clip_metric_names();

// A run's sampler-setting evaluations (not its noise-floor "real" or validation "val" rows) at
// its latest evaluated checkpoint: the figures every report reads, in store order.
std::vector<results::EvaluationRow> latest_sampler_evaluations(const results::Store& store, int64_t run_id);

// Points of the runs' latest evaluated checkpoint at the chosen N. A diverged run gets a
// non-finite point in every setting the study has (it ranks behind every finite one); failed,
// pending and running runs, runs without evaluations, evaluations at another N and a missing
// metric are listed in `missing`.
ScoreTable scores_from_store(const results::Store& store, const std::vector<StudyRun>& runs, const ScoreMetrics& metrics);

// Columns variant, setting, fid, clip; optional seed, weights, dataset, steps, cfg, n. Without
// steps and cfg, the S1–S6 names take theirs from SPEC §5.3. Errors name the line and column.
ScoreTable scores_from_csv(const CsvTable& csv);

}  // namespace rflab::reports
