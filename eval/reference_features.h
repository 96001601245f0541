// Features of the real images that generated samples are compared with, one set per feature
// space (evaluator mini-CLIP embeddings, classifier penultimate features, Inception pool3):
// every held-out image (the FD reference) and the first images of the training split (the
// noise floor's pool). Computed once and cached as .npy (features) plus .npz (the held-out
// Gaussian, pytorch-fid format) under a key of the evaluator's hash and the dataset's identity.
#pragma once
#include <torch/torch.h>

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>

#include "eval/eval_dataset.h"
#include "eval/stats/frechet.h"

namespace rflab::eval {

// A feature extractor as the protocol sees it: a name stored with every figure, the hash of the
// network (its cache key or weights sha256), and images [N, C, S, S] in [-1, 1] -> [N, D].
struct FeatureSpace {
  std::string name;            // "mini-clip-evaluator", "classifier", "inception-v3"
  std::string evaluator_hash;
  std::function<torch::Tensor(const torch::Tensor& images)> features;
};

constexpr int64_t kTrainPoolSize = 10000;  // the noise floor's pool: as many as the held-out split

struct ReferenceFeatures {
  std::string feature_space, evaluator_hash, key;
  Eigen::MatrixXd heldout;     // every held-out image, in order
  Eigen::MatrixXd train_pool;  // the first min(kTrainPoolSize, train size) training images
  GaussianStats heldout_stats;
  // knn_radii_sq(heldout, heldout_radii_k) for the space whose k-NN manifolds are scored (the
  // classifier's), computed once per process by load_or_compute_references; k 0: none.
  Eigen::VectorXd heldout_radii_sq;
  int64_t heldout_radii_k = 0;
  std::string heldout_path, train_path, stats_path;
  bool from_cache = false;
};

// <dir>/reference-<space>-<key12>-{heldout.npy, train.npy, heldout.npz}
ReferenceFeatures reference_paths(const FeatureSpace& space, const EvalDataset& data, const std::string& cache_dir,
                                  int64_t train_pool = kTrainPoolSize);

// The cached features when all three files exist (UserError naming a corrupt or mis-shaped file,
// with the fix: delete it), else computed and written atomically.
ReferenceFeatures load_or_compute_reference(const FeatureSpace& space, const EvalDataset& data,
                                            const std::string& cache_dir, int64_t train_pool = kTrainPoolSize);

// Features of `images` in batches of `batch` (images stay on the CPU between batches).
torch::Tensor batched_features(const FeatureSpace& space, const torch::Tensor& images, int64_t batch = 500);

}  // namespace rflab::eval
