#include "eval/feature_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "eval/stats/frechet.h"
#include "results/error.h"

namespace rflab::eval {
namespace {

constexpr int64_t kBlock = 256;  // rows per distance block: 256 x N doubles at a time

// Squared distances of rows [i0, i0+b) of a to every row of b_set, by |a|^2 + |b|^2 - 2ab,
// clamped at 0 against rounding.
Eigen::MatrixXd block_sq_distances(const Eigen::MatrixXd& a, int64_t i0, int64_t rows, const Eigen::MatrixXd& b,
                                   const Eigen::VectorXd& b_sq) {
  const auto block = a.middleRows(i0, rows);
  Eigen::MatrixXd d = -2.0 * block * b.transpose();
  d.colwise() += block.rowwise().squaredNorm();
  d.rowwise() += b_sq.transpose();
  return d.cwiseMax(0.0);
}

void check_sets(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k) {
  if (real.cols() != generated.cols())
    throw_input_error("feature sets", "dimension", std::to_string(real.cols()) + " (the real set's)",
                      std::to_string(generated.cols()));
  if (k < 1 || k >= real.rows() || k >= generated.rows())
    throw_input_error("k-NN manifolds", "k",
                      "an integer in [1, min(N_real, N_generated) - 1] = [1, " +
                          std::to_string(std::min(real.rows(), generated.rows()) - 1) + "]",
                      std::to_string(k));
}

}  // namespace

Eigen::VectorXd knn_radii_sq(const Eigen::MatrixXd& x, int64_t k) {
  const int64_t n = x.rows();
  const Eigen::VectorXd sq = x.rowwise().squaredNorm();
  Eigen::VectorXd radii(n);
  std::vector<double> row(n);
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t rows = std::min(kBlock, n - i0);
    const Eigen::MatrixXd d = block_sq_distances(x, i0, rows, x, sq);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < n; ++j) row[j] = d(r, j);
      row[i0 + r] = std::numeric_limits<double>::infinity();  // exclude the point itself
      std::nth_element(row.begin(), row.begin() + (k - 1), row.end());
      radii[i0 + r] = row[k - 1];
    }
  }
  return radii;
}

Eigen::MatrixXd to_matrix(const torch::Tensor& features) {
  if (features.dim() != 2) throw std::invalid_argument("to_matrix: expected [N, D], got " + c10::str(features.sizes()));
  auto t = features.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      t.data_ptr<double>(), t.size(0), t.size(1));
}

void knn_manifold_metrics(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k,
                          PrecisionRecall* pr, DensityCoverage* dc, const Eigen::VectorXd* real_radii_sq) {
  check_sets(real, generated, k);
  const int64_t nr = real.rows(), ng = generated.rows();
  if (real_radii_sq && real_radii_sq->size() != nr)
    throw std::invalid_argument("knn_manifold_metrics: expected one radius per real row");
  const Eigen::VectorXd real_r = real_radii_sq ? *real_radii_sq : knn_radii_sq(real, k);
  const Eigen::VectorXd gen_r = knn_radii_sq(generated, k);
  const Eigen::VectorXd real_sq = real.rowwise().squaredNorm();
  int64_t precise = 0, balls_holding = 0;
  std::vector<char> recalled(nr, 0);
  Eigen::VectorXd nearest_gen = Eigen::VectorXd::Constant(nr, std::numeric_limits<double>::infinity());
  for (int64_t j0 = 0; j0 < ng; j0 += kBlock) {
    const int64_t rows = std::min(kBlock, ng - j0);
    const Eigen::MatrixXd d = block_sq_distances(generated, j0, rows, real, real_sq);  // [gen, real]
    for (int64_t r = 0; r < rows; ++r) {
      int64_t inside = 0;
      for (int64_t i = 0; i < nr; ++i) {
        const double dist = d(r, i);
        inside += dist <= real_r[i];
        if (dist <= gen_r[j0 + r]) recalled[i] = 1;
        nearest_gen[i] = std::min(nearest_gen[i], dist);
      }
      precise += inside > 0;
      balls_holding += inside;
    }
  }
  if (pr) {
    pr->k = k;
    pr->precision = static_cast<double>(precise) / ng;
    pr->recall = static_cast<double>(std::count(recalled.begin(), recalled.end(), 1)) / nr;
  }
  if (dc) {
    dc->k = k;
    dc->density = static_cast<double>(balls_holding) / (static_cast<double>(k) * ng);
    dc->coverage = (nearest_gen.array() <= real_r.array()).cast<double>().mean();
  }
}

PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k) {
  PrecisionRecall pr;
  knn_manifold_metrics(real, generated, k, &pr, nullptr);
  return pr;
}

DensityCoverage density_coverage(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k) {
  DensityCoverage dc;
  knn_manifold_metrics(real, generated, k, nullptr, &dc);
  return dc;
}

nlohmann::json FeatureMetrics::to_json() const {
  auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  return {{"n_real", n_real},
          {"n_generated", n_generated},
          {"dim", dim},
          {"fd", num(fd)},
          {"kid", {{"mean", num(kid.mean)}, {"stderr", num(kid.stderr_)}, {"stddev", num(kid.stddev)},
                   {"subsets", kid.subsets}, {"subset_size", kid.subset_size}}},
          {"precision", num(pr.precision)},
          {"recall", num(pr.recall)},
          {"density", num(dc.density)},
          {"coverage", num(dc.coverage)},
          {"k", pr.k}};
}

FeatureMetrics feature_metrics(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated,
                               const FeatureMetricsOptions& options, const Eigen::VectorXd* real_radii_sq) {
  FeatureMetrics m;
  m.n_real = real.rows();
  m.n_generated = generated.rows();
  m.dim = real.cols();
  knn_manifold_metrics(real, generated, options.k, &m.pr, &m.dc, real_radii_sq);
  m.fd = frechet_distance(real, generated);
  m.kid = kid(real, generated, options.kid_subsets, options.kid_subset_size, options.seed);
  return m;
}

FeatureMetrics noise_floor(const Eigen::MatrixXd& reference, const Eigen::MatrixXd& real_pool, int64_t n,
                           const FeatureMetricsOptions& options, const Eigen::VectorXd* reference_radii_sq) {
  if (n < 2 || n > real_pool.rows())
    throw_input_error("noise floor", "n", "an integer in [2, " + std::to_string(real_pool.rows()) + "] (the real pool)",
                      std::to_string(n));
  // A partial Fisher-Yates shuffle with plain moduli: the same rows under every standard library.
  std::vector<int64_t> order(real_pool.rows());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::mt19937_64 rng(options.seed ^ 0x6E6F697365ULL);
  for (int64_t i = 0; i < n; ++i) std::swap(order[i], order[i + rng() % (order.size() - i)]);
  Eigen::MatrixXd pick(n, real_pool.cols());
  for (int64_t i = 0; i < n; ++i) pick.row(i) = real_pool.row(order[i]);
  return feature_metrics(reference, pick, options, reference_radii_sq);
}

}  // namespace rflab::eval
