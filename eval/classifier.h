// A small classifier CNN trained on the dataset's training split: a second feature space for
// FD, precision/recall and density/coverage (its penultimate features; Inception suits 28x28
// grayscale poorly), and the judge of class-conditional accuracy — the fraction of samples
// generated from a class prompt that it assigns to that class. Cached like the mini-CLIP, with
// its held-out accuracy in the file's metadata.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/conv_tower.h"
#include "eval/eval_dataset.h"

namespace rflab::eval {

struct ClassifierConfig {
  uint64_t seed = 3;
  int64_t in_channels = 1;
  int64_t image_size = 32;
  int64_t classes = 10;
  std::vector<int64_t> channels = {32, 64, 128};
  int64_t convs_per_stage = 1;
  int64_t feature_dim = 128;  // the penultimate layer, FD's feature space
  int64_t steps = 600;
  int64_t batch_size = 128;
  double learning_rate = 2e-3;
  double weight_decay = 1e-4;

  nlohmann::json to_json() const;
  static ClassifierConfig from_json(const nlohmann::json& j, const std::string& where);
};

struct ClassifierImpl : torch::nn::Module {
  explicit ClassifierImpl(const ClassifierConfig& config);
  torch::Tensor features(const torch::Tensor& images);  // [B, feature_dim], after the ReLU
  torch::Tensor forward(const torch::Tensor& images);   // logits [B, classes]
  ClassifierConfig config;
  ConvTower tower{nullptr};
  torch::nn::Linear fc{nullptr}, head{nullptr};
};
TORCH_MODULE(Classifier);

// Penultimate features of all images, in batches, without gradients.
torch::Tensor classifier_features(Classifier& model, const torch::Tensor& images, int64_t batch = 500);
// Predicted classes [N].
torch::Tensor classify(Classifier& model, const torch::Tensor& images, int64_t batch = 500);

struct ClassAccuracy {
  double accuracy = 0;  // fraction of images classified as their label
  int64_t n = 0;
};
// Class-conditional accuracy of generated samples: labels are the prompted classes.
ClassAccuracy class_accuracy(Classifier& model, const torch::Tensor& images, const torch::Tensor& labels);

struct ClassifierReport {
  double heldout_accuracy = 0;
  int64_t heldout_n = 0;
  double final_loss = 0;
  double train_seconds = 0;
  nlohmann::json to_json() const;
  static ClassifierReport from_json(const nlohmann::json& j, const std::string& where);
};

struct TrainedClassifier {
  Classifier model{nullptr};
  ClassifierReport report;
  std::string path;
  std::string key;
  bool from_cache = false;
};

using ClassifierProgressFn = std::function<void(int64_t step, int64_t steps, double loss)>;

// Cross-entropy with AdamW; step s draws its batch from (config.seed, data_order, s).
TrainedClassifier train_classifier(const ClassifierConfig& config, const EvalDataset& data,
                                   const ClassifierProgressFn& progress = {});
std::string classifier_cache_key(const ClassifierConfig& config, const EvalDataset& data);
// `config` with the dataset's image channels and class count (unchanged on Fashion-MNIST).
ClassifierConfig fitted_to(ClassifierConfig config, const EvalDataset& data);

void save_classifier(const TrainedClassifier& trained, const std::string& path, const std::string& dataset_identity);
TrainedClassifier load_classifier(const std::string& path);
TrainedClassifier load_or_train_classifier(const ClassifierConfig& config, const EvalDataset& data,
                                           const std::string& cache_dir, const ClassifierProgressFn& progress = {});

}  // namespace rflab::eval
