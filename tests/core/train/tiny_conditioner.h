// A stand-in for the conditioner mini-CLIP in the core training tests (core/ cannot train one):
// a randomly initialised CLIP text tower of the given width over the Fashion-MNIST caption
// vocabulary (or the shapes one), under a made-up cache key.
#pragma once
#include <string>

#include "core/data/fashion_mnist.h"
#include "core/data/shapes_dataset.h"
#include "core/text/clip_text_tower.h"

inline rflab::core::TextConditioner tiny_conditioner_over(const std::vector<std::string>& corpus, int64_t width,
                                                          int64_t max_tokens, const std::string& key, uint64_t seed) {
  using namespace rflab::core;
  TextConditioner c;
  c.tokenizer = Tokenizer::from_corpus(corpus, max_tokens);
  ClipTextTowerConfig tc;
  tc.vocabulary = c.tokenizer.vocabulary_size();
  tc.max_tokens = max_tokens;
  tc.width = width;
  tc.heads = 2;
  tc.layers = 1;
  tc.embed_dim = width;
  torch::manual_seed(seed);
  c.tower = ClipTextTower(tc);
  c.key = key;
  return c;
}

inline rflab::core::TextConditioner tiny_conditioner(int64_t width = 32, int64_t max_tokens = 8,
                                                     const std::string& key = "test-conditioner-a", uint64_t seed = 7) {
  std::vector<std::string> corpus = {"a photo of a"};
  for (const auto& names : rflab::core::FashionMnist::synonyms())
    for (const auto& n : names) corpus.push_back(n);
  return tiny_conditioner_over(corpus, width, max_tokens, key, seed);
}

// The same over the shapes captions' words, with contexts that hold the longest caption.
inline rflab::core::TextConditioner tiny_shapes_conditioner(int64_t width = 32) {
  const auto corpus = rflab::core::shapes_dataset(0, rflab::results::parse_caption_choice("synthetic"), 1, 1).corpus;
  return tiny_conditioner_over(corpus, width, rflab::results::kShapesCaptionWords, "test-conditioner-shapes", 7);
}
