#include "eval/eval_dataset.h"

#include <nlohmann/json.hpp>

#include "core/data/shapes_dataset.h"
#include "results/caption_choice.h"
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

EvalDataset EvalDataset::of(core::Dataset data) {
  EvalDataset d;
  static_cast<core::Dataset&>(d) = std::move(data);
  d.identity = identity_of(d);
  return d;
}

EvalDataset EvalDataset::fashion_mnist(const core::FashionMnist& data) { return of(core::fashion_mnist_dataset(data)); }

EvalDataset EvalDataset::for_runs_on(const results::DataConfig& data) {
  if (data.dataset != "shapes") return of(core::load_dataset(data));
  return of(core::shapes_dataset(data.seed, results::parse_caption_choice("mix(0.5)")));
}

EvalDataset EvalDataset::subset(int64_t n_train, int64_t n_heldout) const {
  EvalDataset d = *this;
  n_train = std::min(n_train, train.images.size(0));
  n_heldout = std::min(n_heldout, heldout.images.size(0));
  d.train = {train.images.narrow(0, 0, n_train), train.labels.narrow(0, 0, n_train)};
  d.heldout = {heldout.images.narrow(0, 0, n_heldout), heldout.labels.narrow(0, 0, n_heldout)};
  if (static_cast<int64_t>(d.heldout_captions.size()) > n_heldout) d.heldout_captions.resize(n_heldout);
  d.identity = identity_of(d);
  return d;
}

}  // namespace rflab::eval
