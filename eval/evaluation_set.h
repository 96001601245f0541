// The evaluation set of SPEC §5.4 (D9, D14). On a class-captioned dataset (Fashion-MNIST)
// caption i is the class prompt of class i mod C, so any N that is a multiple of C is
// class-balanced and class-conditional accuracy is defined; on shapes caption i is the complete
// caption of held-out scene i mod H and its class that scene's, so the generated set is compared
// with the held-out images it was asked to match. Sample i uses caption i and noise seeded (eval
// seed, i). Generation runs in batches with the first index advancing, so a sample does not
// depend on the batch it was drawn in.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/sampling/sampler.h"
#include "core/train/text_to_image.h"
#include "eval/eval_dataset.h"

namespace rflab::eval {

// Caption i of n (data.evaluation says which rule).
std::vector<std::string> evaluation_captions(const EvalDataset& data, int64_t n);
// The class caption i asks for, [n] int64.
torch::Tensor evaluation_labels(const EvalDataset& data, int64_t n);

struct GeneratedSamples {
  torch::Tensor images;           // [N, C, S, S] in [-1, 1], on the CPU
  int64_t network_evals = 0;      // per sample (one guided pass counts 2 when cfg != 1)
  double wall_seconds = 0;
  double path_length = 0;         // mean over samples of Σ‖v̂·dt‖ (core::sample)
};

using BatchProgressFn = std::function<void(int64_t done, int64_t total)>;

// Samples of captions[first_index ...] in batches of `batch`; sample i has noise (seed, i).
GeneratedSamples generate_samples(core::TextToImage& system, const std::vector<std::string>& captions,
                                  const core::SamplerOptions& options, uint64_t seed, int64_t batch = 100,
                                  const BatchProgressFn& progress = {});

// Images of side S brought to the evaluators' side: the dataset's images are 28x28 centred on a
// black (-1) border, so the centre is cropped or the border widened, never resampled.
torch::Tensor to_evaluator_size(const torch::Tensor& images, int64_t size);

}  // namespace rflab::eval
