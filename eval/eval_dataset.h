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

#include "core/data/fashion_mnist.h"
#include "core/text/tokenizer.h"

namespace rflab::eval {

struct EvalDataset {
  std::string name;                        // "fashion-mnist"
  core::ImageSet train, heldout;           // images [N,C,S,S] in [-1,1], labels [N] int64
  std::vector<std::string> class_prompts;  // per class: the zero-shot and class-conditional prompt
  // The training caption of a label; re-drawn on every use, as the generative models see it.
  std::function<std::string(int64_t label, std::mt19937_64& rng)> caption;
  std::vector<std::string> corpus;         // every text a caption can contain (tokenizer vocabulary)
  std::string caption_vocabulary;          // canonical description of the caption distribution
  std::string identity;                    // sha256 hex of images, labels and caption vocabulary

  int64_t classes() const { return static_cast<int64_t>(class_prompts.size()); }
  int64_t image_size() const { return train.images.size(-1); }
  int64_t channels() const { return train.images.size(1); }
  // The conditioner mini-CLIP's tokenizer, which the generative models use with its text tower.
  core::Tokenizer tokenizer(int64_t max_tokens) const;

  static EvalDataset fashion_mnist(const core::FashionMnist& data);
  // The first n_train training and n_heldout held-out images (small instances for tests); its
  // identity differs from the full set's, so its evaluators are cached apart.
  EvalDataset subset(int64_t n_train, int64_t n_heldout) const;
};

// sha256 hex of a tensor's dtype, shape and bytes (made contiguous, on the CPU).
std::string tensor_sha256(const torch::Tensor& t);

}  // namespace rflab::eval
