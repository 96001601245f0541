// The architecture ablation of a study (SPEC §9.9; the DiT block designs of the DiT paper's
// Fig. 5): for a study whose runs differ in model.backbone or model.conditioning, per variant —
// its runs averaged over seeds — the validation-loss curve against training steps and training
// FLOPs, CLIP score and FID at every evaluated checkpoint at one sampler setting, and the table of
// cost and final figures: parameters, training FLOPs and wall time per step, final validation
// loss, final CLIP score and FID. A backbone sweep matches parameter counts through the width and
// depth, so a variant is named by its architecture (study_runs.h), never by its width.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/float_constants.h"
#include "reports/scaling.h"
#include "reports/score.h"
#include "reports/score_source.h"
#include "reports/seed_mean.h"
#include "reports/study_runs.h"
#include "reports/welch.h"
#include "results/store.h"

namespace rflab::reports {

// The trainer's rows the table reads: the count of trainable backbone parameters and the
// cumulative training FLOPs (both at every validation step), and the throughput (every log step).
inline constexpr const char* kParametersMetric = "model/parameters";
inline constexpr const char* kTrainFlopsMetric = "train/flops";
inline constexpr const char* kSamplesPerSecondMetric = "train/samples_per_s";

// A run's CLIP score and FID at one evaluated checkpoint, at the comparison's setting.
struct CheckpointScore {
  int64_t step = 0;
  double clip = kNaN, fid = kNaN;
};

// One run that finished (status done); NaN marks a figure the run did not store.
struct ArchitectureRun {
  std::string variant, architecture;  // architecture: results::architecture_name(backbone, conditioning)
  int64_t seed = 0, run_id = -1;
  int64_t depth = 0, width = 0, batch_size = 0;
  std::vector<CurvePoint> curve;        // the loss key's rows by step, with train/flops of the same step
  double parameters = kNaN;             // model/parameters of the last row that has it
  double flops_per_step = kNaN;         // train/flops ÷ step at the last validation row with train/flops
  double seconds_per_step = kNaN;       // train.batch_size ÷ the mean of the run's train/samples_per_s rows
  double final_loss = kNaN;             // the loss at the last validation row
  std::vector<CheckpointScore> checkpoints;  // by step; the last one is the run's final figures
};

// A variant's mean over its seeds at one training step or checkpoint (over the seeds that have it).
struct CurveMean {
  int64_t step = 0;
  double flops = kNaN;  // mean train/flops at the step
  SeedMean loss;
};
struct CheckpointMean {
  int64_t step = 0;
  SeedMean clip, fid;
};

struct ArchitectureVariant {
  std::string variant, architecture;
  std::vector<int64_t> seeds;  // of its finished runs
  std::string shape;           // "4 × 256" (depth × hidden width), or the per-seed shapes joined by ", "
  SeedMean parameters, flops_per_step, seconds_per_step, final_loss;
  SeedMean clip, fid;          // each run's last evaluated checkpoint
  std::vector<int64_t> final_checkpoints;  // the distinct steps of those checkpoints
  std::vector<CurveMean> curve;
  std::vector<CheckpointMean> checkpoints;
};

// One variant against the best on a figure, with Welch's 95% interval over seeds for
// mean(other) − mean(best). inside_noise: the interval holds 0; undefined (nullopt) where a side
// has a single seed.
struct ArchitectureDifference {
  std::string figure;  // the loss key ("final val/velocity"), or the CLIP or FID metric
  std::string best, other;
  WelchDifference welch;
  std::optional<bool> inside_noise;
};

struct ArchitectureComparison {
  std::string loss_key = "val/velocity";
  std::string fid_metric = "clip_fid", clip_metric = "clip_score";
  std::optional<SettingKey> setting;  // where CLIP score and FID are read; absent: no evaluations
  int64_t n = 0;                      // the evaluation samples of that setting
  std::vector<std::string> variants;  // study order (a variant keeps its colour in every figure)
  std::vector<ArchitectureRun> runs;
  std::vector<ArchitectureVariant> summary;  // variants with finished runs, in study order
  std::vector<ArchitectureDifference> differences;
  std::vector<std::string> notes;  // runs left out and figures not stored, and why

  // "S3 ema (50 steps, CFG 5), N = 100"; "" without a setting.
  std::string setting_label() const;
  // Whether some run has the sample figures of two or more checkpoints (seeds evaluated at one
  // checkpoint each, chosen per run, are not a trajectory).
  bool several_checkpoints() const;
};

// Whether the runs span two or more architectures (model.backbone, model.conditioning).
bool differs_in_architecture(const std::vector<StudyRun>& runs);

// The comparison of the study's runs; nullopt when they do not differ in architecture. CLIP
// score and FID are read at one sampler setting for the whole study (results/control_setting.h):
// the (setting, weights, steps, CFG, N) with both metrics that the most variants have, then EMA
// weights, the most sampler steps, the highest CFG scale, the largest N, the first name.
std::optional<ArchitectureComparison> architecture_comparison(const results::Store& store, const std::vector<StudyRun>& runs,
                                                              const std::string& loss_key = "val/velocity",
                                                              const ScoreMetrics& metrics = {});

// The section's text: what is compared and how, the table, the per-checkpoint table when several
// checkpoints were evaluated, the differences against the seed noise and the notes. A figure a
// run did not store prints "—".
std::string architecture_markdown(const ArchitectureComparison& a);

}  // namespace rflab::reports
