#include "eval/classifier.h"

#include <chrono>
#include <filesystem>

#include "core/train/backward_in_parts.h"
#include "core/train/seeds.h"
#include "eval/config_fields.h"
#include "eval/model_cache.h"
#include "eval/training_schedule.h"
#include "results/error.h"

namespace rflab::eval {

namespace nn = torch::nn;
constexpr const char* kKind = "classifier";

nlohmann::json ClassifierConfig::to_json() const {
  return {{"seed", seed},
          {"in_channels", in_channels},
          {"image_size", image_size},
          {"classes", classes},
          {"channels", channels},
          {"convs_per_stage", convs_per_stage},
          {"feature_dim", feature_dim},
          {"steps", steps},
          {"batch_size", batch_size},
          {"learning_rate", learning_rate},
          {"weight_decay", weight_decay}};
}

ClassifierConfig ClassifierConfig::from_json(const nlohmann::json& j, const std::string& where) {
  ClassifierConfig c;
  ConfigFields f(j, where);
  f.read("seed", c.seed);
  f.read("in_channels", c.in_channels);
  f.read("image_size", c.image_size);
  f.read("classes", c.classes, 2);
  f.read("channels", c.channels);
  f.read("convs_per_stage", c.convs_per_stage);
  f.read("feature_dim", c.feature_dim);
  f.read("steps", c.steps);
  f.read("batch_size", c.batch_size);
  f.read("learning_rate", c.learning_rate);
  f.read("weight_decay", c.weight_decay, -1e-300);
  f.finish();
  return c;
}

ClassifierImpl::ClassifierImpl(const ClassifierConfig& c) : config(c) {
  tower = register_module("tower", ConvTower(c.in_channels, c.image_size, c.channels, c.convs_per_stage));
  fc = register_module("fc", nn::Linear(tower->out_dim, c.feature_dim));
  head = register_module("head", nn::Linear(c.feature_dim, c.classes));
}

torch::Tensor ClassifierImpl::features(const torch::Tensor& images) {
  return torch::relu(fc->forward(tower->forward(images)));
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& images) { return head->forward(features(images)); }

torch::Tensor classifier_features(Classifier& model, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard g;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images.size(0); i += batch)
    parts.push_back(model->features(images.narrow(0, i, std::min(batch, images.size(0) - i))));
  return parts.empty() ? torch::empty({0, model->config.feature_dim}) : torch::cat(parts);
}

torch::Tensor classify(Classifier& model, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard g;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images.size(0); i += batch)
    parts.push_back(model->forward(images.narrow(0, i, std::min(batch, images.size(0) - i))).argmax(1));
  return parts.empty() ? torch::empty({0}, torch::kInt64) : torch::cat(parts);
}

ClassAccuracy class_accuracy(Classifier& model, const torch::Tensor& images, const torch::Tensor& labels) {
  if (labels.size(0) != images.size(0))
    throw std::invalid_argument("class_accuracy: " + std::to_string(images.size(0)) + " images but " +
                                std::to_string(labels.size(0)) + " labels");
  ClassAccuracy a;
  a.n = images.size(0);
  a.accuracy = a.n ? (classify(model, images) == labels.to(torch::kInt64)).sum().item<double>() / a.n : std::nan("");
  return a;
}

nlohmann::json ClassifierReport::to_json() const {
  return {{"heldout_accuracy", heldout_accuracy},
          {"heldout_n", heldout_n},
          {"final_loss", final_loss},
          {"train_seconds", train_seconds}};
}

ClassifierReport ClassifierReport::from_json(const nlohmann::json& j, const std::string& where) {
  ClassifierReport r;
  try {
    r.heldout_accuracy = j.at("heldout_accuracy").get<double>();
    r.heldout_n = j.at("heldout_n").get<int64_t>();
    r.final_loss = j.at("final_loss").get<double>();
    r.train_seconds = j.at("train_seconds").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(where, "__metadata__.report", "the classifier training report", e.what());
  }
  return r;
}

TrainedClassifier train_classifier(const ClassifierConfig& config, const EvalDataset& data,
                                   const ClassifierProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  require_dataset_value("classifier config", "in_channels", data.channels(), config.in_channels);
  require_dataset_value("classifier config", "classes", data.classes(), config.classes);
  require_dataset_value("classifier config", "image_size", data.image_size(), config.image_size);
  torch::manual_seed(core::mix_seed(config.seed, core::Stream::init, 0));
  TrainedClassifier out;
  out.model = Classifier(config);
  auto& model = out.model;
  model->train();
  const AdamWPlan plan{config.learning_rate, config.weight_decay, config.steps, config.batch_size, config.seed};
  out.report.final_loss = train_adamw(
      model->parameters(), plan, data.train.images.size(0),
      [&](int64_t, const torch::Tensor& idx) {
        const auto images = data.train.images.index_select(0, idx);
        const auto labels = data.train.labels.index_select(0, idx);
        return core::backward_in_parts(
            idx.size(0), model->parameters(),
            [&](int64_t from, int64_t n) { return model->forward(images.narrow(0, from, n)); },
            [&](const torch::Tensor& logits) { return torch::nn::functional::cross_entropy(logits, labels); });
      },
      progress);
  model->eval();
  const auto acc = class_accuracy(model, data.heldout.images, data.heldout.labels);
  out.report.heldout_accuracy = acc.accuracy;
  out.report.heldout_n = acc.n;
  out.report.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.key = classifier_cache_key(config, data);
  return out;
}

std::string classifier_cache_key(const ClassifierConfig& config, const EvalDataset& data) {
  return cache_key(kKind, config.to_json(), data.identity);
}

ClassifierConfig fitted_to(ClassifierConfig config, const EvalDataset& data) {
  config.in_channels = data.channels();
  config.classes = data.classes();
  return config;
}

void save_classifier(const TrainedClassifier& trained, const std::string& path, const std::string& dataset_identity) {
  StoredNetwork net;
  net.path = path;
  net.kind = kKind;
  net.key = trained.key;
  net.dataset_identity = dataset_identity;
  net.config = trained.model->config.to_json();
  net.report = trained.report.to_json();
  net.tensors = module_tensors(*trained.model);
  write_network(net);
}

TrainedClassifier load_classifier(const std::string& path) {
  StoredNetwork net = read_network(path, kKind);
  TrainedClassifier out;
  out.model = Classifier(ClassifierConfig::from_json(net.config, path + ": __metadata__.config"));
  load_module_tensors(*out.model, net.tensors, path);
  out.model->eval();
  out.report = ClassifierReport::from_json(net.report, path);
  out.path = path;
  out.key = net.key;
  out.from_cache = true;
  return out;
}

TrainedClassifier load_or_train_classifier(const ClassifierConfig& config, const EvalDataset& data,
                                           const std::string& cache_dir, const ClassifierProgressFn& progress) {
  return load_or_train<TrainedClassifier>(
      cache_dir, kKind, classifier_cache_key(config, data), load_classifier,
      [&] { return train_classifier(config, data, progress); },
      [&](const TrainedClassifier& t, const std::string& path) { save_classifier(t, path, data.identity); });
}

}  // namespace rflab::eval
