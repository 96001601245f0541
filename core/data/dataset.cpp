#include "core/data/dataset.h"

#include <nlohmann/json.hpp>

#include "core/data/shapes_dataset.h"
#include "core/text/tokenizer.h"
#include "results/caption_choice.h"

namespace rflab::core {

Dataset fashion_mnist_dataset(const FashionMnist& data) {
  Dataset d;
  d.name = "fashion-mnist";
  d.train = data.train();
  d.validation = d.heldout = data.heldout();
  const auto labels = data.train().labels;
  d.train_caption = [labels](int64_t row, std::mt19937_64& rng) {
    return FashionMnist::caption(labels[row].item<int64_t>(), rng);
  };
  const auto heldout = data.heldout().labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < heldout.size(0); ++i) d.heldout_captions.push_back(FashionMnist::canonical_caption(heldout[i]));
  d.validation_captions = d.heldout_captions;
  for (int64_t c = 0; c < static_cast<int64_t>(FashionMnist::class_names().size()); ++c)
    d.class_prompts.push_back(FashionMnist::canonical_caption(c));
  d.grid_prompts = d.class_prompts;
  d.evaluation = EvaluationPrompts::class_balanced;
  // Every word a caption can contain: the caption template and every synonym.
  d.corpus = {"a photo of a"};
  for (const auto& names : FashionMnist::synonyms())
    for (const auto& n : names) {
      d.corpus.push_back(n);
      d.max_caption_words = std::max<int64_t>(d.max_caption_words, 4 + Tokenizer::words(n).size());
    }
  d.caption_vocabulary =
      nlohmann::json{{"template", "a photo of a <name>"}, {"synonyms", FashionMnist::synonyms()}}.dump();
  return d;
}

Dataset load_dataset(const results::DataConfig& data) {
  if (data.dataset == "shapes") return shapes_dataset(data.seed, results::parse_caption_choice(data.captions, "", "data.captions"));
  return fashion_mnist_dataset(FashionMnist::load(data.root, data.image_size));
}

void require_dataset_inputs(const results::DataConfig& data) {
  if (data.dataset == "fashion-mnist") FashionMnist::require_files(data.root);
}

}  // namespace rflab::core
