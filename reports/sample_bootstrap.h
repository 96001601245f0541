// Resampling the evaluation set behind every ranked point. Sample i of an evaluation has caption
// i and noise seed i in every variant and setting (D9), so one draw of sample indices serves all
// points at once (a paired bootstrap): each point's CLIP score is recomputed as the mean over the
// drawn samples of their cosines, and its CLIP-FID as the Fréchet distance between the drawn
// samples' mini-CLIP embeddings and the held-out reference features. This gives rank intervals
// with a single training seed. Points are read from the per-sample files `rflab eval` stores
// as artifacts (kind clip_samples: [N, 1 + E] .npy, cosine then embedding; clip_reference: the
// reference .npy).
#pragma once
#include <Eigen/Dense>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eval/stats/frechet.h"
#include "reports/bootstrap.h"
#include "reports/score.h"
#include "results/store.h"

namespace rflab::reports {

struct SamplePoint {
  Eigen::MatrixXd samples;  // [N, 1 + E]: column 0 the cosine, columns 1..E the embedding
  std::shared_ptr<const eval::GaussianStats> reference;
};

class SampleResampler {
 public:
  // `points[k]` holds the samples of table.scores[k]; all with one N. Non-finite (diverged)
  // points may have none and stay as they are.
  SampleResampler(ScoreTable base, std::vector<std::optional<SamplePoint>> points, bool torchmetrics_clip);

  // The figures of every point recomputed from the samples `idx` (indices into 0..N-1).
  ScoreTable recompute(const std::vector<size_t>& idx) const;
  ScoreTable draw(Resampler& rng) const { return recompute(rng.resample(n_)); }
  size_t samples() const { return n_; }
  const ScoreTable& base() const { return base_; }

 private:
  ScoreTable base_;
  std::vector<std::optional<SamplePoint>> points_;
  bool torchmetrics_ = false;
  size_t n_ = 0;
};

// The resampler of a table read from the store, or nullopt with `why` when it cannot be built:
// metrics other than clip_fid and clip_score / clip_score_100, a point without per-sample files,
// files of different N, or per-sample files whose full-sample figures differ from the stored
// ones (a file from another evaluation): a partial or mismatched resampling would mislead.
std::optional<SampleResampler> sample_resampler_from_store(const results::Store& store, const ScoreTable& table,
                                                           std::string* why);

// `options` with resample_scores drawing from the store's per-sample files when they cover the
// table; otherwise unchanged, with the reason in `why`.
struct RankOptions;
RankOptions with_sample_resampling(const results::Store& store, const ScoreTable& table, RankOptions options,
                                   std::string* why);

}  // namespace rflab::reports
