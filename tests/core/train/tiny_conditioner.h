// A stand-in for the conditioner mini-CLIP in the core training tests (core/ cannot train one):
// a randomly initialised CLIP text tower of the given width over the Fashion-MNIST caption
// vocabulary, under a made-up cache key.
#pragma once
#include <string>

#include "core/data/fashion_mnist.h"
#include "core/text/clip_text_tower.h"

inline rflab::core::TextConditioner tiny_conditioner(int64_t width = 32, int64_t max_tokens = 8,
                                                     const std::string& key = "test-conditioner-a", uint64_t seed = 7) {
  using namespace rflab::core;
  std::vector<std::string> corpus = {"a photo of a"};
  for (const auto& names : FashionMnist::synonyms())
    for (const auto& n : names) corpus.push_back(n);
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
