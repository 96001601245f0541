#include "eval/eval_dataset.h"

#include <nlohmann/json.hpp>

#include "results/sha256.h"

namespace rflab::eval {
namespace {

std::string identity_of(const EvalDataset& d) {
  std::string s = "rflab-eval-dataset-v1\n" + d.name + "\n";
  for (const auto* set : {&d.train, &d.heldout})
    s += tensor_sha256(set->images) + "\n" + tensor_sha256(set->labels) + "\n";
  s += d.caption_vocabulary + "\n";
  for (const auto& p : d.class_prompts) s += p + "\n";
  return results::sha256_hex(s);
}

}  // namespace

std::string tensor_sha256(const torch::Tensor& t) {
  auto c = t.contiguous().cpu();
  std::string bytes = std::string(c.dtype().name()) + c10::str(c.sizes()) + "\n";
  bytes.append(static_cast<const char*>(c.data_ptr()), c.nbytes());
  return results::sha256_hex(bytes);
}

core::Tokenizer EvalDataset::tokenizer(int64_t max_tokens) const {
  return core::Tokenizer::from_corpus(corpus, max_tokens);
}

EvalDataset EvalDataset::fashion_mnist(const core::FashionMnist& data) {
  EvalDataset d;
  d.name = "fashion-mnist";
  d.train = data.train();
  d.heldout = data.heldout();
  for (int64_t c = 0; c < static_cast<int64_t>(core::FashionMnist::class_names().size()); ++c)
    d.class_prompts.push_back(core::FashionMnist::canonical_caption(c));
  d.caption = [](int64_t label, std::mt19937_64& rng) { return core::FashionMnist::caption(label, rng); };
  // Every word a caption can contain: the caption template and every synonym.
  d.corpus = {"a photo of a"};
  for (const auto& names : core::FashionMnist::synonyms())
    for (const auto& n : names) d.corpus.push_back(n);
  d.caption_vocabulary = nlohmann::json{{"template", "a photo of a <name>"},
                                        {"synonyms", core::FashionMnist::synonyms()}}.dump();
  d.identity = identity_of(d);
  return d;
}

EvalDataset EvalDataset::subset(int64_t n_train, int64_t n_heldout) const {
  EvalDataset d = *this;
  n_train = std::min(n_train, train.images.size(0));
  n_heldout = std::min(n_heldout, heldout.images.size(0));
  d.train = {train.images.narrow(0, 0, n_train), train.labels.narrow(0, 0, n_train)};
  d.heldout = {heldout.images.narrow(0, 0, n_heldout), heldout.labels.narrow(0, 0, n_heldout)};
  d.identity = identity_of(d);
  return d;
}

}  // namespace rflab::eval
