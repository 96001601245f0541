// The labelled, captioned images the evaluator networks (mini-CLIP, classifier) are trained and
// tested on, with a content identity: the evaluator caches are keyed by it, so a changed image,
// label or caption vocabulary trains new evaluators instead of reusing stale ones.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/text/tokenizer.h"

namespace rflab::eval {

// The evaluators' view of a core::Dataset, with the content identity of what they learn from.
struct EvalDataset : core::Dataset {
  std::string identity;  // sha256 hex of images, labels and caption vocabulary

  // The conditioner mini-CLIP's tokenizer, which the generative models use with its text tower.
  core::Tokenizer tokenizer(int64_t max_tokens) const;

  static EvalDataset of(core::Dataset data);
  static EvalDataset fashion_mnist(const core::FashionMnist& data);
  // The dataset the evaluators and the conditioner of runs on `data` learn from. For shapes its
  // captions are mix(0.5), whatever data.captions says: the text encoder and the evaluators see
  // both caption styles and are the same for every arm of a caption study, as the paper's
  // pretrained encoders are.
  static EvalDataset for_runs_on(const results::DataConfig& data);
  // The first n_train training and n_heldout held-out images (small instances for tests); its
  // identity differs from the full set's, so its evaluators are cached apart.
  EvalDataset subset(int64_t n_train, int64_t n_heldout) const;
};

// sha256 hex of a tensor's dtype, shape and bytes (made contiguous, on the CPU).
std::string tensor_sha256(const torch::Tensor& t);

}  // namespace rflab::eval
