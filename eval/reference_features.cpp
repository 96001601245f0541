#include "eval/reference_features.h"

#include <fmt/format.h>

#include <filesystem>

#include "eval/feature_metrics.h"
#include "eval/model_cache.h"
#include "eval/stats/npy.h"
#include "eval/stats/npz.h"
#include "results/error.h"

namespace rflab::eval {
namespace {

void check_rows(const std::string& path, const Eigen::MatrixXd& m, int64_t rows, int64_t cols) {
  if (m.rows() != rows || (cols >= 0 && m.cols() != cols))
    throw_input_error(path, "shape", fmt::format("({}, {}) reference features (delete the file to recompute)", rows,
                                                 cols >= 0 ? std::to_string(cols) : "D"),
                      fmt::format("({}, {})", m.rows(), m.cols()));
}

}  // namespace

torch::Tensor batched_features(const FeatureSpace& space, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard g;
  std::vector<torch::Tensor> parts;
  const int64_t n = images.size(0);
  for (int64_t i = 0; i < n; i += batch)
    parts.push_back(space.features(images.narrow(0, i, std::min(batch, n - i))).to(torch::kCPU, torch::kDouble));
  if (parts.empty()) throw std::logic_error("batched_features: no images");
  return torch::cat(parts);
}

ReferenceFeatures reference_paths(const FeatureSpace& space, const EvalDataset& data, const std::string& cache_dir,
                                  int64_t train_pool) {
  ReferenceFeatures r;
  r.feature_space = space.name;
  r.evaluator_hash = space.evaluator_hash;
  const int64_t pool = std::min<int64_t>(train_pool, data.train.images.size(0));
  r.key = cache_key("reference-" + space.name,
                    {{"evaluator_hash", space.evaluator_hash}, {"train_pool", pool}, {"heldout", "all"}}, data.identity);
  const std::string stem =
      (std::filesystem::path(cache_dir) / ("reference-" + space.name + "-" + r.key.substr(0, 12))).string();
  r.heldout_path = stem + "-heldout.npy";
  r.train_path = stem + "-train.npy";
  r.stats_path = stem + "-heldout.npz";
  return r;
}

ReferenceFeatures load_or_compute_reference(const FeatureSpace& space, const EvalDataset& data,
                                            const std::string& cache_dir, int64_t train_pool) {
  ReferenceFeatures r = reference_paths(space, data, cache_dir, train_pool);
  const int64_t pool = std::min<int64_t>(train_pool, data.train.images.size(0));
  const int64_t heldout_n = data.heldout.images.size(0);
  namespace fs = std::filesystem;
  if (fs::exists(r.heldout_path) && fs::exists(r.train_path) && fs::exists(r.stats_path)) {
    r.heldout = read_npy(r.heldout_path);
    check_rows(r.heldout_path, r.heldout, heldout_n, -1);
    r.train_pool = read_npy(r.train_path);
    check_rows(r.train_path, r.train_pool, pool, r.heldout.cols());
    r.heldout_stats = read_stats_npz(r.stats_path);
    if (r.heldout_stats.mu.size() != r.heldout.cols() || r.heldout_stats.n != heldout_n)
      throw_input_error(r.stats_path, "mu",
                        fmt::format("statistics of {} features of dimension {} (delete the file to recompute)", heldout_n,
                                    r.heldout.cols()),
                        fmt::format("n = {}, dimension {}", r.heldout_stats.n, r.heldout_stats.mu.size()));
    r.from_cache = true;
    return r;
  }
  r.heldout = to_matrix(batched_features(space, data.heldout.images));
  r.train_pool = to_matrix(batched_features(space, data.train.images.narrow(0, 0, pool)));
  r.heldout_stats = gaussian_stats(r.heldout);
  r.heldout_stats.n = heldout_n;
  // Statistics last: a reader takes the set only when all three files are there.
  write_npy(r.heldout_path, r.heldout);
  write_npy(r.train_path, r.train_pool);
  write_stats_npz(r.stats_path, r.heldout_stats);
  return r;
}

}  // namespace rflab::eval
