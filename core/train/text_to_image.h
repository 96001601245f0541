// The trained system of one run: tokenizer, text encoder, MM-DiT and formulation, built from a
// completed run config. It turns prompts into conditioning, exposes the network to the sampler,
// and draws images with the seeding of SPEC D9 (noise of sample i from (seed, i)).
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/formulation/formulation.h"
#include "core/model/mmdit.h"
#include "core/sampling/sampler.h"
#include "core/text/text_encoder.h"
#include "core/text/tokenizer.h"

namespace rflab::core {

struct TextToImage {
  TextToImage(const nlohmann::json& run_config, Tokenizer tokenizer);

  Conditioning encode(const std::vector<std::string>& prompts);
  Network network();
  // Samples images [B, C, S, S] in [-1, 1] for the prompts; sample i uses noise seeded (seed, first_index + i).
  torch::Tensor generate(const std::vector<std::string>& prompts, const SamplerOptions& options, uint64_t seed,
                         int64_t first_index = 0, int64_t* network_evals = nullptr);
  std::vector<torch::Tensor> parameters();
  void to(torch::Device device);

  nlohmann::json config;
  Tokenizer tokenizer;
  TextEncoder text{nullptr};
  MMDiT mmdit{nullptr};
  Formulation formulation;
  int64_t image_size = 32;
  int64_t channels = 1;
  torch::Device device{torch::kCPU};
};

// The tokenizer of a dataset: its vocabulary is every word of every caption it can draw.
Tokenizer dataset_tokenizer(const nlohmann::json& run_config);

}  // namespace rflab::core
