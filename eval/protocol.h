// One evaluation of a checkpoint under the protocol of SPEC §5: for every control setting and
// weights kind (EMA, raw) of a plan, N samples of the evaluation captions are generated
// and scored in each feature space against the cached held-out reference — CLIP-FID, KID and
// CLIP score on the evaluator mini-CLIP, FD, precision/recall, density/coverage and
// class-conditional accuracy on the classifier, FID on Inception-v3 when given — together with
// the noise floor of each space at the same N; on shapes also prompt following (exact, by the
// detector) on the fixed prompt set. The result is a list of store rows, written by
// record_evaluation in one transaction.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/train/checkpoint.h"
#include "eval/classifier.h"
#include "eval/eval_dataset.h"
#include "eval/feature_metrics.h"
#include "eval/mini_clip.h"
#include "eval/prompt_following.h"
#include "eval/reference_features.h"
#include "results/evaluation_plan.h"
#include "results/store.h"

namespace rflab::eval {

// Feature-space names stored with each figure.
inline constexpr const char* kClipSpace = "mini-clip-evaluator";
inline constexpr const char* kClassifierSpace = "classifier";
inline constexpr const char* kInceptionSpace = "inception-v3";
// Setting names of the rows that are not a sampler setting (results/control_setting.h).
using results::kRealSetting;
using results::kValSetting;

struct Evaluators {
  MiniClip clip{nullptr};
  std::string clip_hash;  // its cache key
  Classifier classifier{nullptr};
  std::string classifier_hash;
  std::optional<FeatureSpace> inception;  // FID network (evaluator_hash = weights sha256), when given

  // clip, classifier, then inception when present; the order of references().
  std::vector<FeatureSpace> feature_spaces() const;
};

// The cached references of every feature space, in feature_spaces() order.
std::vector<ReferenceFeatures> load_or_compute_references(const Evaluators& evaluators, const EvalDataset& data,
                                                          const std::string& cache_dir,
                                                          int64_t train_pool = kTrainPoolSize);

struct ProtocolOptions {
  results::EvaluationPlan plan;
  uint64_t seed = 0;               // sample i has noise (seed, i) in every setting (D9)
  int64_t batch = 100;             // generation batch; results do not depend on it
  int64_t grid_per_class = 10;     // columns per class row of the sample grids
  FeatureMetricsOptions metrics;   // k = 5, KID subsets, and the noise floor's draw
  torch::Device device{torch::kCPU};
  std::function<void(const std::string&)> log;  // progress lines
  // The noise floor depends only on the references, N and `metrics`: a caller evaluating several
  // checkpoints passes the rows noise_floor_rows gave for the first, instead of recomputing them.
  const std::vector<results::EvaluationRow>* noise_floor = nullptr;
  // The shapes prompt set (eval/prompt_following.h): when not empty, every (setting, weights) is
  // also scored for prompt following, one image per prompt.
  std::vector<shapes::Prompt> prompts;
};

struct SampleGrid {
  std::string setting, weights;
  torch::Tensor image;  // [C, H, W] in [0, 1] (core::make_grid): one row per class, its first samples
};

// What the figures of one (setting, weights) were computed from, per sample, so that a report can
// resample the evaluation set: the CLIP score's cosine and the evaluator mini-CLIP's image
// embedding of every sample, and the held-out reference features of CLIP-FID.
struct PerSampleFigures {
  std::string setting, weights;
  Eigen::MatrixXd clip;  // [N, 1 + E]: column 0 the cosine, columns 1..E the image embedding
  std::string reference_path;  // the held-out reference features (.npy) that CLIP-FID compares against
};

struct CheckpointEvaluation {
  int64_t checkpoint_step = 0;
  std::vector<results::EvaluationRow> rows;
  std::vector<SampleGrid> grids;
  std::vector<PerSampleFigures> per_sample;
  double sampling_seconds = 0, metrics_seconds = 0;  // wall-clock, over every (setting, weights)
};

// Every (setting, weights) of options.plan plus the noise-floor rows (setting "real", once per
// weights kind: the store's rows carry weights ema|raw, and each kind finds its floor beside it).
CheckpointEvaluation evaluate_checkpoint(const core::LoadedCheckpoint& ck, const std::string& source, int64_t run_id,
                                         const EvalDataset& data, const Evaluators& evaluators,
                                         const std::vector<ReferenceFeatures>& references,
                                         const ProtocolOptions& options);

// The figures of N generated images (captions, labels: evaluation_captions/labels of N) in every
// feature space; the rows carry no run, setting or weights yet.
std::vector<results::EvaluationRow> sample_metric_rows(const torch::Tensor& images,
                                                       const std::vector<std::string>& captions,
                                                       const torch::Tensor& labels, const Evaluators& evaluators,
                                                       const std::vector<ReferenceFeatures>& references,
                                                       const FeatureMetricsOptions& options,
                                                       PerSampleFigures* per_sample = nullptr);

// The noise floor at N in every feature space: training-split images against the reference.
std::vector<results::EvaluationRow> noise_floor_rows(const std::vector<ReferenceFeatures>& references, int64_t n,
                                                     const FeatureMetricsOptions& options);

// Grid of the first `per_class` samples of each class, one row per class (sample i has class i % C).
torch::Tensor class_grid(const torch::Tensor& images, int64_t classes, int64_t per_class);
// The sample grid of an evaluation set: class_grid on a class-balanced one; otherwise the first
// rows x per_row samples, row-major (rows: kGridRows).
constexpr int64_t kGridRows = 10;
torch::Tensor evaluation_grid(const torch::Tensor& images, const EvalDataset& data, int64_t per_row);
// Columns of an evaluation grid of n samples: at most `wanted`, as many as n fills in every row.
int64_t grid_columns(const EvalDataset& data, int64_t n, int64_t wanted);

// All rows and artifacts in one transaction: on any failure nothing is written.
void record_evaluation(results::Store& store, const std::vector<results::EvaluationRow>& rows,
                       const std::vector<results::ArtifactRow>& artifacts = {});

}  // namespace rflab::eval
