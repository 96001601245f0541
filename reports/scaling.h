// The depth-scaling analysis of SPEC §8 (D24): validation loss against steps and training FLOPs
// per depth, the saturating power law L(C) = a·C^(−b) + c fitted to the compute-efficient
// frontier and to each depth's curve against steps (power_law.h: Huber on log residuals,
// bootstrap intervals), Pearson and Spearman correlations between each run's final validation
// loss and its sample metrics (the paper's Fig. 8, bottom row), and the sampling efficiency by
// depth (the paper's Table 6: the relative CLIP-score drop at 5, 10 and 20 steps against 50
// steps, and the path length Σ‖v·dt‖).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/correlation.h"
#include "reports/csv.h"
#include "reports/frontier.h"
#include "reports/power_law.h"
#include "reports/study_runs.h"
#include "results/store.h"

namespace rflab::reports {

struct CurvePoint {
  int64_t step = 0;
  double flops = 0;  // training FLOPs so far; NaN when the source did not record them
  double loss = 0;
};

// A sample metric of one evaluated setting, e.g. clip_fid at "S3 ema".
struct SampleMetric {
  std::string metric, setting;  // setting: SettingKey::name()
  int64_t steps = 0;
  double cfg = 0;
  std::string weights;
  double value = 0;
};

struct ScalingRun {
  int depth = 0;
  int64_t seed = 0;
  int64_t run_id = -1;
  std::vector<CurvePoint> curve;  // by step
  std::vector<SampleMetric> metrics;  // of the latest evaluated checkpoint (path_length among them)
};

struct ScalingData {
  std::string loss_key = "val/velocity";  // EMA velocity validation loss (D24)
  std::string source;
  std::vector<ScalingRun> runs;
  std::vector<std::string> notes;  // runs left out, and why
};

// The runs' curves of `loss_key` with their train/flops rows, and their latest evaluations.
ScalingData scaling_from_store(const results::Store& store, const std::vector<StudyRun>& runs,
                               const std::string& loss_key = "val/velocity");
// Columns depth, step, flops, loss; optional seed; every other column is a sample metric of the
// run (depth, seed), whose value on its last row is the one correlated.
ScalingData scaling_from_csv(const CsvTable& csv);

struct NamedFit {
  std::string name;    // "frontier" or "depth 4"
  std::string x;       // "training FLOPs" or "steps"
  PowerLawFit fit;
  std::string error;   // non-empty when the fit could not be made (too few points, ...)
  std::vector<PowerLawPoint> points;
};

struct MetricCorrelation {
  std::string metric, setting;
  Correlation pearson, spearman;
};

// Table 6: per depth, the relative CLIP-score drop (clip_50 − clip_N)/clip_50 at N = 5, 10, 20
// (the CFG and weights of the 50-step evaluation; NaN when that N was not evaluated) and the path
// length at 50 steps; means over seeds.
struct SamplingEfficiency {
  int depth = 0;
  std::map<int64_t, double> relative_drop;  // N -> drop
  double path_length = 0;
  int runs = 0;
};

struct ScalingAnalysis {
  ScalingData data;
  std::vector<int> depths;                  // ascending
  std::vector<FrontierPoint> frontier;
  std::vector<NamedFit> fits;               // frontier first, then each depth against steps
  std::vector<MetricCorrelation> correlations;
  std::vector<SamplingEfficiency> efficiency;
  double level = 0.90;
};

ScalingAnalysis analyse_scaling(ScalingData data, const PowerLawOptions& options = {});

std::string scaling_markdown(const ScalingAnalysis& a);
nlohmann::json scaling_json(const ScalingAnalysis& a);

}  // namespace rflab::reports
