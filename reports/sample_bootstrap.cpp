#include "reports/sample_bootstrap.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "eval/stats/npy.h"
#include "reports/ranking.h"
#include "results/error.h"

namespace rflab::reports {

SampleResampler::SampleResampler(ScoreTable base, std::vector<std::optional<SamplePoint>> points, bool torchmetrics_clip)
    : base_(std::move(base)), points_(std::move(points)), torchmetrics_(torchmetrics_clip) {
  if (points_.size() != base_.scores.size()) throw std::invalid_argument("SampleResampler: one entry per score");
  for (const auto& p : points_)
    if (p) {
      const size_t n = static_cast<size_t>(p->samples.rows());
      if (n_ != 0 && n != n_) throw std::invalid_argument("SampleResampler: points of different N");
      n_ = n;
    }
  if (n_ < 2) throw std::invalid_argument("SampleResampler: fewer than two samples per point");
}

ScoreTable SampleResampler::recompute(const std::vector<size_t>& idx) const {
  ScoreTable t = base_;
  Eigen::MatrixXd drawn(static_cast<Eigen::Index>(idx.size()), 0);
  for (size_t k = 0; k < points_.size(); ++k) {
    if (!points_[k]) continue;
    const auto& m = points_[k]->samples;
    drawn.resize(static_cast<Eigen::Index>(idx.size()), m.cols());
    for (size_t i = 0; i < idx.size(); ++i) drawn.row(static_cast<Eigen::Index>(i)) = m.row(static_cast<Eigen::Index>(idx[i]));
    double clip = 0;
    for (Eigen::Index i = 0; i < drawn.rows(); ++i) clip += torchmetrics_ ? 100.0 * std::max(drawn(i, 0), 0.0) : drawn(i, 0);
    t.scores[k].clip = clip / static_cast<double>(drawn.rows());
    t.scores[k].fid = eval::frechet_distance(*points_[k]->reference, eval::gaussian_stats(drawn.rightCols(m.cols() - 1)));
  }
  return t;
}

std::optional<SampleResampler> sample_resampler_from_store(const results::Store& store, const ScoreTable& table,
                                                           std::string* why) {
  auto fail = [&](const std::string& w) -> std::optional<SampleResampler> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (table.fid_metric != "clip_fid" || (table.clip_metric != "clip_score" && table.clip_metric != "clip_score_100"))
    return fail("per-sample resampling recomputes clip_fid and clip_score only");
  std::map<std::string, std::shared_ptr<const eval::GaussianStats>> references;
  std::vector<std::optional<SamplePoint>> points;
  for (const auto& s : table.scores) {
    if (!std::isfinite(s.fid) || !std::isfinite(s.clip)) {
      points.emplace_back();
      continue;
    }
    std::string samples, reference;
    const std::string want = fmt::format("samples-{}-{}.npy", s.setting.sampler, s.setting.weights);
    for (const auto& a : store.artifacts(s.source.run_id)) {
      if (a.kind == "clip_samples" && std::filesystem::path(a.path).filename() == want) samples = a.path;
      if (a.kind == "clip_reference") reference = a.path;
    }
    const std::string who = fmt::format("{} seed {} {}", s.variant, s.seed, s.setting.name());
    if (samples.empty() || reference.empty()) return fail(who + " has no per-sample figures (evaluated before they were stored)");
    if (!std::filesystem::exists(samples) || !std::filesystem::exists(reference))
      return fail(who + ": " + (std::filesystem::exists(samples) ? reference : samples) + " is missing");
    auto& ref = references[reference];
    if (!ref) ref = std::make_shared<const eval::GaussianStats>(eval::gaussian_stats(eval::read_npy(reference)));
    points.push_back(SamplePoint{eval::read_npy(samples), ref});
  }
  try {
    SampleResampler r(table, std::move(points), table.clip_metric == "clip_score_100");
    std::vector<size_t> all(r.samples());
    std::iota(all.begin(), all.end(), size_t{0});
    const ScoreTable full = r.recompute(all);
    for (size_t k = 0; k < full.scores.size(); ++k) {
      const auto& a = full.scores[k];
      const auto& b = table.scores[k];
      if (std::isfinite(b.fid) && (std::abs(a.fid - b.fid) > 1e-6 * std::max(1.0, std::abs(b.fid)) ||
                                   std::abs(a.clip - b.clip) > 1e-6 * std::max(1.0, std::abs(b.clip))))
        return fail(fmt::format("the per-sample figures of {} seed {} {} give {} {:.6g} and {} {:.6g}, not the stored "
                                "{:.6g} and {:.6g}",
                                b.variant, b.seed, b.setting.name(), table.fid_metric, a.fid, table.clip_metric, a.clip,
                                b.fid, b.clip));
    }
    return r;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

RankOptions with_sample_resampling(const results::Store& store, const ScoreTable& table, RankOptions options,
                                   std::string* why) {
  if (auto r = sample_resampler_from_store(store, table, why)) {
    auto shared = std::make_shared<const SampleResampler>(std::move(*r));
    options.resample_scores = [shared](Resampler& rng) { return shared->draw(rng); };
  }
  return options;
}

}  // namespace rflab::reports
