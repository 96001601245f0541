// The dataset of a run (`data.dataset`), as the trainer, the validation loss and the evaluators
// see it: every split materialised as an image tensor with class labels, the training caption of
// each training row, and the prompts of the evaluation set. Two datasets implement it:
//
//   fashion-mnist  1x28x28 garments padded to data.image_size; class captions "a photo of a
//                  <name>" with synonyms (fashion_mnist.h); V and the held-out set are t10k;
//                  the evaluation set is class-balanced (caption i = class prompt i mod 10).
//   shapes         3x32x32 procedural scenes (docs/shapes.md): training rows are scenes
//                  0..59999 of the train split, V the validation split, the held-out set the
//                  held-out split; captions chosen by data.captions; the class of a scene is its
//                  leftmost object's (colour, shape), 24 classes, with prompt "a red circle"; the
//                  evaluation set cycles through the held-out scenes' synthetic captions.
//
// Images are [N, C, S, S] float32 in [-1, 1], labels [N] int64.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/data/fashion_mnist.h"
#include "results/run_config.h"

namespace rflab::core {

// How the evaluation set (SPEC §5.4) draws its prompts.
enum class EvaluationPrompts {
  class_balanced,    // caption i = class_prompts[i mod C], label i mod C
  heldout_captions,  // caption i = heldout_captions[i mod H], label heldout.labels[i mod H]
};

struct Dataset {
  std::string name;  // "fashion-mnist" | "shapes"
  ImageSet train, validation, heldout;
  // Training row r's caption; captions drawn at random are re-drawn on every use from `rng`.
  std::function<std::string(int64_t row, std::mt19937_64& rng)> train_caption;
  std::vector<std::string> validation_captions;  // per validation row: V's fixed caption
  std::vector<std::string> heldout_captions;     // per held-out row: its complete caption
  std::vector<std::string> class_prompts;        // per class: zero-shot and class-conditional prompt
  std::vector<std::string> grid_prompts;         // one per row of a sample grid
  EvaluationPrompts evaluation = EvaluationPrompts::class_balanced;
  std::vector<std::string> corpus;  // every text a caption can contain (the tokenizer's vocabulary)
  std::string caption_vocabulary;   // canonical description of the caption distribution
  int64_t max_caption_words = 0;    // the longest caption, in tokenizer words

  int64_t classes() const { return static_cast<int64_t>(class_prompts.size()); }
  int64_t image_size() const { return train.images.size(-1); }
  int64_t channels() const { return train.images.size(1); }
};

// The dataset of `data`: fashion-mnist from data.root (UserError naming a missing file), shapes
// rendered from data.seed with data.captions.
Dataset load_dataset(const results::DataConfig& data);
// The cheap check a command makes before it writes anything (fashion-mnist's four files).
void require_dataset_inputs(const results::DataConfig& data);

// Fashion-MNIST as a Dataset (fashion_mnist.h).
Dataset fashion_mnist_dataset(const FashionMnist& data);

}  // namespace rflab::core
