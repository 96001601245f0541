// Content-addressed cache of trained evaluator networks (mini-CLIP, classifier). A network is
// stored as <dir>/<kind>-<key12>.safetensors with key = sha256(kind, config JSON, dataset
// identity), so every run of a study that asks for the same network on the same data shares one
// file. The metadata carries the kind, key, config, a report and a checksum of the weights;
// read_network verifies all of them, so a corrupt or mismatched file is an error, never a model.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/error.h"

namespace rflab::eval {

std::string cache_key(const std::string& kind, const nlohmann::json& config, const std::string& dataset_identity);
// <dir>/<kind>-<first 12 hex digits of key>.safetensors
std::string cache_path(const std::string& dir, const std::string& kind, const std::string& key);

struct StoredNetwork {
  std::string path;
  std::string kind;
  std::string key;
  std::string dataset_identity;
  nlohmann::json config;
  nlohmann::json report;  // what training measured (held-out accuracy, N, loss, seconds)
  std::vector<std::string> vocabulary;  // tokenizer of a text tower; empty for image-only nets
  std::map<std::string, torch::Tensor> tensors;
};

// Atomic write; the weights checksum is computed here.
void write_network(const StoredNetwork& net);
// Throws UserError naming the file when it is unreadable, not a `kind` network, or its weights
// do not match their checksum (with the fix: delete the file to retrain).
StoredNetwork read_network(const std::string& path, const std::string& kind);

// The parameters (and buffers) of a module by name, detached, on the CPU.
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& m);
// Copies `tensors` into the module; every name and shape must match exactly (UserError naming `source`).
void load_module_tensors(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source);

// Every readable `kind` network in dir, by path; unreadable files are reported in `errors`.
std::vector<StoredNetwork> list_networks(const std::string& dir, const std::string& kind,
                                         std::vector<std::string>* errors = nullptr);

// The network cached under `key` in `dir`, or one trained by `train()` and saved there by
// `save(trained, path)`. `load(path)` must fill the result's `key`; a file whose stored key is
// not `key` (renamed or copied over) is refused.
template <class Trained, class Load, class Train, class Save>
Trained load_or_train(const std::string& dir, const std::string& kind, const std::string& key, Load load, Train train,
                      Save save) {
  const std::string path = cache_path(dir, kind, key);
  if (std::filesystem::exists(path)) {
    Trained cached = load(path);
    if (cached.key != key)
      throw_input_error(path, "__metadata__.cache_key", key, cached.key + " (file renamed or copied over; delete it)");
    return cached;
  }
  Trained trained = train();
  save(trained, path);
  trained.path = path;
  return trained;
}

}  // namespace rflab::eval
