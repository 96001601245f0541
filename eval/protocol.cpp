#include "eval/protocol.h"

#include <fmt/format.h>

#include <chrono>

#include "core/io/png.h"
#include "eval/clip_score.h"
#include "eval/evaluation_set.h"
#include "eval/figure_row.h"
#include "eval/stats/frechet.h"
#include "results/error.h"
#include "results/metric_names.h"

namespace rflab::eval {

namespace metric = results::metric;
namespace {

constexpr auto row = figure_row;

// The figures of one feature space between the reference and `features` (generated or real).
// Inception's 2048 dimensions make KID and k-NN balls costly, and only its FID is asked for.
// The reference's precomputed k-NN radii when they are for k, else none (computed where needed).
const Eigen::VectorXd* heldout_radii(const ReferenceFeatures& ref, int64_t k) {
  return ref.heldout_radii_k == k && ref.heldout_radii_sq.size() == ref.heldout.rows() ? &ref.heldout_radii_sq : nullptr;
}

void space_rows(const ReferenceFeatures& ref, const Eigen::MatrixXd& features, const FeatureMetricsOptions& o,
                std::vector<results::EvaluationRow>& out) {
  const int64_t n = features.rows();
  auto add = [&](const std::string& metric, double v) { out.push_back(row(metric, v, n, ref.feature_space, ref.evaluator_hash)); };
  if (ref.feature_space == kClipSpace) {
    add(metric::kClipFid, frechet_distance(ref.heldout, features));
    const auto k = kid(ref.heldout, features, o.kid_subsets, o.kid_subset_size, o.seed);
    add(metric::kClipKid, k.mean);
    add(metric::kClipKidStderr, k.stderr_);
  } else if (ref.feature_space == kClassifierSpace) {
    add(metric::kClassifierFd, frechet_distance(ref.heldout, features));
    PrecisionRecall pr;
    DensityCoverage dc;
    knn_manifold_metrics(ref.heldout, features, o.k, &pr, &dc, heldout_radii(ref, o.k));
    add(metric::kPrecision, pr.precision);
    add(metric::kRecall, pr.recall);
    add(metric::kDensity, dc.density);
    add(metric::kCoverage, dc.coverage);
  } else if (ref.feature_space == kInceptionSpace) {
    add(metric::kInceptionFid, frechet_distance(ref.heldout, features));
  } else {
    throw std::logic_error("space_rows: unknown feature space " + ref.feature_space);
  }
}

}  // namespace

std::vector<FeatureSpace> Evaluators::feature_spaces() const {
  MiniClip c = clip;
  Classifier k = classifier;
  std::vector<FeatureSpace> out = {
      {kClipSpace, clip_hash, [c](const torch::Tensor& x) mutable { c->eval(); return c->encode_image(x); }},
      {kClassifierSpace, classifier_hash, [k](const torch::Tensor& x) mutable { k->eval(); return k->features(x); }}};
  if (inception) out.push_back(*inception);
  return out;
}

std::vector<ReferenceFeatures> load_or_compute_references(const Evaluators& evaluators, const EvalDataset& data,
                                                          const std::string& cache_dir, int64_t train_pool) {
  std::vector<ReferenceFeatures> out;
  for (const auto& space : evaluators.feature_spaces()) {
    out.push_back(load_or_compute_reference(space, data, cache_dir, train_pool));
    if (space.name == kClassifierSpace) {
      out.back().heldout_radii_k = FeatureMetricsOptions{}.k;
      out.back().heldout_radii_sq = knn_radii_sq(out.back().heldout, out.back().heldout_radii_k);
    }
  }
  return out;
}

std::vector<results::EvaluationRow> sample_metric_rows(const torch::Tensor& images,
                                                       const std::vector<std::string>& captions,
                                                       const torch::Tensor& labels, const Evaluators& evaluators,
                                                       const std::vector<ReferenceFeatures>& references,
                                                       const FeatureMetricsOptions& options,
                                                       PerSampleFigures* per_sample) {
  const auto spaces = evaluators.feature_spaces();
  if (spaces.size() != references.size()) throw std::logic_error("sample_metric_rows: one reference per feature space");
  const int64_t n = images.size(0);
  std::vector<results::EvaluationRow> out;
  Eigen::MatrixXd clip_features;
  for (size_t s = 0; s < spaces.size(); ++s) {
    auto features = to_matrix(batched_features(spaces[s], images));
    space_rows(references[s], features, options, out);
    if (s == 0) clip_features = std::move(features);  // feature_spaces(): the mini-CLIP first
  }
  MiniClip clip = evaluators.clip;  // a handle: the evaluator's modules are shared, not copied
  clip->eval();
  const auto score = clip_score(clip, images, captions);
  out.push_back(row(metric::kClipScore, score.cosine, n, kClipSpace, evaluators.clip_hash));
  out.push_back(row(metric::kClipScore100, score.torchmetrics, n, kClipSpace, evaluators.clip_hash));
  if (per_sample) {
    per_sample->clip.resize(n, 1 + clip_features.cols());
    per_sample->clip.col(0) = to_matrix(score.cosines.reshape({n, 1}));
    per_sample->clip.rightCols(clip_features.cols()) = clip_features;
    per_sample->reference_path = references[0].heldout_path;
  }
  Classifier classifier = evaluators.classifier;
  classifier->eval();
  out.push_back(row(metric::kClassAccuracy, class_accuracy(classifier, images, labels).accuracy, n, kClassifierSpace,
                    evaluators.classifier_hash));
  return out;
}

std::vector<results::EvaluationRow> noise_floor_rows(const std::vector<ReferenceFeatures>& references, int64_t n,
                                                     const FeatureMetricsOptions& options) {
  std::vector<results::EvaluationRow> out;
  for (const auto& ref : references) {
    if (n > ref.train_pool.rows())
      throw_input_error("noise floor", "samples", fmt::format("at most {} (the training pool)", ref.train_pool.rows()),
                        std::to_string(n));
    // Inception: its FID against the first n pool images (the pool is in the split's shuffled
    // order), since noise_floor's KID and k-NN balls in 2048 dimensions would dominate the run.
    if (ref.feature_space == kInceptionSpace) {
      space_rows(ref, ref.train_pool.topRows(n), options, out);
      continue;
    }
    const auto m = noise_floor(ref.heldout, ref.train_pool, n, options, heldout_radii(ref, options.k));
    auto add = [&](const std::string& metric, double v) { out.push_back(row(metric, v, n, ref.feature_space, ref.evaluator_hash)); };
    if (ref.feature_space == kClipSpace) {
      add(metric::kClipFid, m.fd);
      add(metric::kClipKid, m.kid.mean);
      add(metric::kClipKidStderr, m.kid.stderr_);
    } else {
      add(metric::kClassifierFd, m.fd);
      add(metric::kPrecision, m.pr.precision);
      add(metric::kRecall, m.pr.recall);
      add(metric::kDensity, m.dc.density);
      add(metric::kCoverage, m.dc.coverage);
    }
  }
  return out;
}

torch::Tensor class_grid(const torch::Tensor& images, int64_t classes, int64_t per_class) {
  std::vector<int64_t> idx;
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t j = 0; j < per_class; ++j) idx.push_back(j * classes + c);
  return core::make_grid(images.index_select(0, torch::tensor(idx, torch::kLong)), per_class);
}

int64_t grid_columns(const EvalDataset& data, int64_t n, int64_t wanted) {
  const bool by_class = data.evaluation == core::EvaluationPrompts::class_balanced;
  return std::min(wanted, n / (by_class ? data.classes() : kGridRows));
}

torch::Tensor evaluation_grid(const torch::Tensor& images, const EvalDataset& data, int64_t per_row) {
  if (data.evaluation == core::EvaluationPrompts::class_balanced) return class_grid(images, data.classes(), per_row);
  return core::make_grid(images.narrow(0, 0, kGridRows * per_row), per_row);
}

CheckpointEvaluation evaluate_checkpoint(const core::LoadedCheckpoint& ck, const std::string& source, int64_t run_id,
                                         const EvalDataset& data, const Evaluators& evaluators,
                                         const std::vector<ReferenceFeatures>& references,
                                         const ProtocolOptions& o) {
  const int64_t n = o.plan.samples;
  if (data.evaluation == core::EvaluationPrompts::class_balanced && n < data.classes())
    throw_input_error(source, "samples", fmt::format("at least {} (one per class)", data.classes()), std::to_string(n));
  auto log = [&](const std::string& line) { if (o.log) o.log(line); };
  CheckpointEvaluation out;
  out.checkpoint_step = ck.meta.step;
  const auto captions = evaluation_captions(data, n);
  const auto labels = evaluation_labels(data, n);
  const int64_t per_class = grid_columns(data, n, o.grid_per_class);
  const std::string prompts_hash = o.prompts.empty() ? "" : prompt_set_hash(o.prompts);
  const auto floor = o.noise_floor ? *o.noise_floor : noise_floor_rows(references, n, o.metrics);
  for (const auto& weights : o.plan.weights) {
    auto system = core::load_text_to_image(ck, weights, source);
    system->to(o.device);
    for (auto r : floor) {
      r.setting = kRealSetting;
      r.steps = 0;
      r.cfg = 0;
      r.weights = weights;
      out.rows.push_back(r);
    }
    for (const auto& setting : o.plan.settings) {
      core::SamplerOptions so;
      so.steps = setting.steps;
      so.cfg = setting.cfg;
      log(fmt::format("{} {} weights: {} samples, {} steps, CFG {}", setting.name, weights, n, setting.steps, setting.cfg));
      auto samples = generate_samples(*system, captions, so, o.seed, o.batch);
      out.sampling_seconds += samples.wall_seconds;
      const auto metrics_from = std::chrono::steady_clock::now();
      const auto images = to_evaluator_size(samples.images, data.image_size());
      PerSampleFigures per_sample{setting.name, weights, {}, ""};
      auto rows = sample_metric_rows(images, captions, labels, evaluators, references, o.metrics, &per_sample);
      out.metrics_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - metrics_from).count();
      out.per_sample.push_back(std::move(per_sample));
      rows.push_back(row("network_evals", static_cast<double>(samples.network_evals), n, "", ""));
      rows.push_back(row("wall_seconds", samples.wall_seconds, n, "", ""));
      rows.push_back(row("path_length", samples.path_length, n, "", ""));
      auto keep = [&](std::vector<results::EvaluationRow> rows) {
        for (auto& r : rows) {
          r.setting = setting.name;
          r.steps = static_cast<int>(setting.steps);
          r.cfg = setting.cfg;
          r.weights = weights;
          out.rows.push_back(std::move(r));
        }
      };
      keep(std::move(rows));
      if (per_class > 0) out.grids.push_back({setting.name, weights, evaluation_grid(samples.images, data, per_class)});
      if (!o.prompts.empty()) {
        log(fmt::format("{} {} weights: prompt following, {} prompts", setting.name, weights, o.prompts.size()));
        const auto following = follow_prompts(*system, o.prompts, so, o.seed, o.batch);
        out.sampling_seconds += following.sampling_seconds;
        out.metrics_seconds += following.detection_seconds;
        keep(prompt_following_rows(following.score, prompts_hash));
      }
    }
  }
  for (auto& r : out.rows) {
    r.run_id = run_id;
    r.checkpoint_step = out.checkpoint_step;
  }
  return out;
}

void record_evaluation(results::Store& store, const std::vector<results::EvaluationRow>& rows,
                       const std::vector<results::ArtifactRow>& artifacts) {
  store.transaction([&] {
    for (const auto& r : rows) store.add_evaluation(r);
    for (const auto& a : artifacts) store.add_artifact(a);
  });
}

}  // namespace rflab::eval
