// The trained system of one run: the frozen text conditioner (a CLIP text tower with its
// tokenizer), the backbone (model.backbone: MM-DiT or a baseline) and the formulation, built from a completed run config. It turns
// prompts into conditioning, exposes the network to the sampler, and draws images with the
// seeding of SPEC D9 (noise of sample i from (seed, i)). Only the backbone is trained.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/formulation/formulation.h"
#include "core/model/backbone.h"
#include "core/sampling/sampler.h"
#include "core/util/precision.h"
#include "core/text/clip_text_tower.h"
#include "results/run_config.h"

namespace rflab::core {

struct TextToImage {
  // Freezes conditioner.tower (no gradients, eval mode); systems built from one conditioner share
  // its tower. UserError when model.context_dim / model.pooled_dim / text.max_tokens do not match
  // the tower's width / embed_dim / max_tokens (model.pooled_dim 0 = no pooled vector).
  TextToImage(const results::RunConfig& run_config, TextConditioner conditioner);

  Conditioning encode(const std::vector<std::string>& prompts);
  // The backbone as the sampler and the losses call it: under bf16 autocast when the run's precision
  // is bf16, its output always fp32.
  Network network();
  // Samples images [B, C, S, S] in [-1, 1] for the prompts; sample i uses noise seeded (seed, first_index + i).
  torch::Tensor generate(const std::vector<std::string>& prompts, const SamplerOptions& options, uint64_t seed,
                         int64_t first_index = 0, int64_t* network_evals = nullptr,
                         torch::Tensor* path_length = nullptr);  // [B], see core::sample
  // The trainable parameters: the backbone's (the text tower is frozen).
  std::vector<torch::Tensor> parameters();
  void to(torch::Device device);

  results::RunConfig config;
  TextConditioner conditioner;
  Backbone backbone{nullptr};
  Formulation formulation;
  int64_t image_size = 32;
  int64_t channels = 1;
  bool use_pooled = true;
  Precision precision = Precision::fp32;  // train.precision
  torch::Device device{torch::kCPU};
};

}  // namespace rflab::core
