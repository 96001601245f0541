// Distances between a real and a generated feature set in one feature space: the Fréchet
// distance and KID (eval/stats), precision/recall on k-NN manifolds (Kynkäänniemi et al. 2019)
// and density/coverage (Naeem et al. 2020); and the noise floor, the same figures between two
// sets of real images at the generated set's N. Every figure carries its N: FD is biased at
// small N, so figures are only compared at equal N.
#pragma once
#include <torch/torch.h>

#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "eval/stats/kid.h"

namespace rflab::eval {

// [N, D] tensor (any float dtype, any device) -> N x D double matrix.
Eigen::MatrixXd to_matrix(const torch::Tensor& features);

// Every ball below is closed: x is inside B(c, r) when |x - c| <= r, r the distance from c to its
// k-th nearest neighbour in its own set (itself excluded), as in both papers' definitions.
struct PrecisionRecall {
  double precision = 0;  // fraction of generated samples inside some real ball
  double recall = 0;     // fraction of real samples inside some generated ball
  int64_t k = 0;
};

struct DensityCoverage {
  double density = 0;   // (1 / kM) sum over generated j of the number of real balls holding j
  double coverage = 0;  // fraction of real balls holding at least one generated sample
  int64_t k = 0;
};

// The squared distance from each row of `set` to its k-th nearest other row: the balls' radii.
Eigen::VectorXd knn_radii_sq(const Eigen::MatrixXd& set, int64_t k);

// Both pairs from one pass over the real x generated distances. Needs k < rows of each set;
// throws UserError otherwise. `real_radii_sq`, when given, is knn_radii_sq(real, k): a fixed
// reference set's radii (N² distances) computed once for every generated set scored against it.
void knn_manifold_metrics(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k,
                          PrecisionRecall* pr, DensityCoverage* dc, const Eigen::VectorXd* real_radii_sq = nullptr);
PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k = 5);
DensityCoverage density_coverage(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int64_t k = 5);

struct FeatureMetricsOptions {
  int64_t k = 5;
  int64_t kid_subsets = 100;
  int64_t kid_subset_size = 1000;  // clipped to the smaller N
  uint64_t seed = 0;               // KID subsets and the noise floor's draw
};

struct FeatureMetrics {
  int64_t n_real = 0;
  int64_t n_generated = 0;
  int64_t dim = 0;
  double fd = 0;
  KidResult kid;
  PrecisionRecall pr;
  DensityCoverage dc;
  nlohmann::json to_json() const;  // every figure with n_real and n_generated beside it
};

FeatureMetrics feature_metrics(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated,
                               const FeatureMetricsOptions& options = {},
                               const Eigen::VectorXd* real_radii_sq = nullptr);

// The noise floor: feature_metrics(reference, n rows of real_pool), rows drawn without
// replacement from options.seed. Use reference = the held-out features the generated samples
// are compared with, real_pool = training-split features, n = the generated N.
FeatureMetrics noise_floor(const Eigen::MatrixXd& reference, const Eigen::MatrixXd& real_pool, int64_t n,
                           const FeatureMetricsOptions& options = {},
                           const Eigen::VectorXd* reference_radii_sq = nullptr);

}  // namespace rflab::eval
