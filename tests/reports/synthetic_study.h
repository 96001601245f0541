// A study written through the store's own API, for the report tests: three formulations with two
// seeds, evaluated at S3 and S4 with EMA and raw weights at N = 100, validation curves with their
// training FLOPs, a sample grid per run; one extra run failed, and one evaluation left out.
#pragma once
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eval/stats/frechet.h"
#include "eval/stats/npy.h"
#include "reports/bootstrap.h"
#include "reports/ranking.h"
#include "reports/report.h"
#include "reports/scaling.h"
#include "reports/sample_bootstrap.h"
#include "reports/score_source.h"
#include "results/atomic_file.h"
#include "results/run_config.h"
#include "results/sha256.h"
#include "results/store.h"

namespace rflab::reports::testing {

// A 2x2 RGB PNG (valid: the browser test decodes it).
inline std::string tiny_png() {
  static const unsigned char k[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02,
      0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41,
      0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x08, 0x1b, 0x18, 0x80, 0x34, 0x00, 0x00, 0x3c, 0x5c, 0x06, 0x29,
      0x1e, 0x5b, 0x5e, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(k), sizeof k);
}

struct SyntheticStudy {
  std::vector<std::string> formulations = {"rf", "rf/lognorm(0.00, 1.00)", "eps/linear"};
  std::vector<int64_t> seeds = {0, 1};
  bool failed_run = true;      // a fourth variant whose run failed
  bool drop_one = true;        // eps/linear seed 1 has no S4 raw evaluation
  std::vector<int> depths = {2};  // several: a depth ladder of rf/lognorm
};

inline constexpr int64_t kSamples = 100;

// Uniform noise in [-0.5, 0.5) from the reports' own generator, the same on every platform.
inline double noise(Resampler& r) { return static_cast<double>(r.next() >> 11) / 9007199254740992.0 - 0.5; }

// [kSamples, 1 + 4]: the cosine, then a 4-d embedding shifted by q from the reference's.
inline Eigen::MatrixXd synthetic_samples(double q, uint64_t seed) {
  Resampler r(seed);
  Eigen::MatrixXd m(kSamples, 5);
  for (int64_t i = 0; i < kSamples; ++i) {
    m(i, 0) = 0.85 - 0.01 * q + 0.02 * noise(r);
    for (int j = 1; j < 5; ++j) m(i, j) = 0.3 * q * j + noise(r);
  }
  return m;
}

// The held-out reference features of the synthetic evaluator, written once per folder.
inline std::string reference_file(const std::string& dir) {
  const std::string path = dir + "/reference-heldout.npy";
  if (!std::filesystem::exists(path)) {
    Resampler r(99);
    Eigen::MatrixXd m(400, 4);
    for (int64_t i = 0; i < m.rows(); ++i)
      for (int j = 0; j < 4; ++j) m(i, j) = noise(r);
    eval::write_npy(path, m);
  }
  return path;
}

inline void add_run(results::Store& s, const nlohmann::json& partial, int64_t seed, const std::string& dir, bool evaluate,
                    double quality, results::RunStatus status = results::RunStatus::done) {
  nlohmann::json cfg = partial;
  cfg["train"]["seed"] = seed;
  const auto full = results::RunConfig::parse(cfg, "synthetic");
  results::RunRecord rec{full.canonical_json(), full.hash(), seed, {"abc123def4567890", false, "host", "1.13", "openblas", "cpu", 2}, std::nullopt};
  const int64_t id = s.register_run(rec);
  const int depth = static_cast<int>(full.model.depth);
  for (int64_t step = 50; step <= 400; step += 50) {
    const double loss = 0.3 + (1.0 / depth) * std::pow(static_cast<double>(step), -0.4) + 0.01 * quality;
    s.append_metrics(id, step, {{"val/velocity", loss}, {"val/native", loss}, {"train/flops", 1e9 * depth * depth * depth * step}});
  }
  s.set_status(id, status, status == results::RunStatus::failed ? "CUDA out of memory (synthetic)" : "");
  if (!evaluate) return;
  const std::string png = dir + "/run" + std::to_string(id) + "-eval-S3-ema.png";
  results::write_file_atomic(png, tiny_png());
  s.add_artifact({id, png, results::sha256_file(png), "eval_grid"});
  for (const auto& [setting, steps] : std::vector<std::pair<std::string, int>>{{"S3", 50}, {"S4", 5}, {"S5", 10}})
    for (const std::string w : {"ema", "raw"}) {
      if (evaluate && quality < 0 && setting == "S4" && w == "raw") continue;  // the dropped evaluation
      const double q = std::abs(quality) + (w == "raw" ? 0.5 : 0) + (steps == 5 ? 2 : 0) + 0.1 * seed;
      // Per-sample figures: the embeddings drift from the reference by q, the cosines fall with it;
      // the stored CLIP-FID and CLIP score are computed from them, as `rflab eval` does.
      const auto per_sample = synthetic_samples(q, static_cast<uint64_t>(id * 100 + steps + (w == "raw")));
      const std::string npy = dir + fmt::format("/run{}/samples-{}-{}.npy", id, setting, w);  // as beside a checkpoint
      eval::write_npy(npy, per_sample);
      const std::string ref = reference_file(dir);
      s.add_artifact({id, npy, results::sha256_file(npy), "clip_samples"});
      s.add_artifact({id, ref, results::sha256_file(ref), "clip_reference"});
      const double fid = eval::frechet_distance(eval::gaussian_stats(eval::read_npy(ref)),
                                                eval::gaussian_stats(per_sample.rightCols(per_sample.cols() - 1)));
      const double clip = per_sample.col(0).mean();
      for (const auto& [metric, value] : std::vector<std::pair<std::string, double>>{
               {"clip_fid", fid}, {"clip_score", clip}, {"path_length", 30.0 + depth}})
        s.add_evaluation({id, 400, w, setting, steps, 5.0, metric, value, kSamples, metric == "path_length" ? "" : "mini-clip-evaluator",
                          metric == "path_length" ? "" : "evalhash0123456789"});
    }
}

// Writes the study into `db` and its grids into `dir`.
inline void write_synthetic_study(const std::string& db, const std::string& dir, const SyntheticStudy& o = {}) {
  std::filesystem::create_directories(dir);
  results::Store s(db);
  for (int depth : o.depths)
    for (size_t f = 0; f < o.formulations.size(); ++f)
      for (int64_t seed : o.seeds) {
        const bool dropped = o.drop_one && f + 1 == o.formulations.size() && seed == o.seeds.back();
        add_run(s, {{"formulation", o.formulations[f]}, {"model", {{"depth", depth}}}}, seed, dir, true,
                dropped ? -static_cast<double>(f) : static_cast<double>(f));
      }
  if (o.failed_run)
    add_run(s, {{"formulation", "v/cos"}, {"model", {{"depth", o.depths.front()}}}}, o.seeds.front(), dir, false, 0,
            results::RunStatus::failed);
}

// The report input of a database, as `rflab report --db` builds it (scaling with few resamples).
inline ReportInput report_input_of(const std::string& db, bool with_scaling = true) {
  results::Store store(db);
  const auto runs = study_runs_of_database(store);
  ReportInput in;
  in.title = "synthetic";
  in.command = "test";
  in.variants = variants_of(runs);
  in.runs = run_summaries(store, runs);
  in.scores = scores_from_store(store, runs, {});
  in.ranking = rank_variants(*in.scores, with_sample_resampling(store, *in.scores, RankOptions{RankBy::all, 200}, nullptr));
  if (with_scaling) in.scaling = analyse_scaling(scaling_from_store(store, runs), PowerLawOptions{0.05, 50});
  return in;
}

}  // namespace rflab::reports::testing
