// Word-level tokenizer: lower-cased words split on anything that is not a letter or digit,
// mapped through a fixed vocabulary (index 0 = <pad>, 1 = <unk>), padded or cut to M tokens.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace rflab::core {

class Tokenizer {
 public:
  Tokenizer() = default;
  // Builds the vocabulary from a corpus: <pad>, <unk>, then the corpus words sorted, so the
  // same corpus always gives the same ids.
  static Tokenizer from_corpus(const std::vector<std::string>& texts, int64_t max_tokens);
  // From the vocabulary list stored with a checkpoint.
  static Tokenizer from_vocabulary(const std::vector<std::string>& vocabulary, int64_t max_tokens);

  static std::vector<std::string> words(const std::string& text);
  // [B, M] int64 ids.
  torch::Tensor encode(const std::vector<std::string>& texts) const;
  int64_t vocabulary_size() const { return static_cast<int64_t>(vocabulary_.size()); }
  int64_t max_tokens() const { return max_tokens_; }
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }

  static constexpr int64_t kPad = 0;
  static constexpr int64_t kUnknown = 1;

 private:
  std::vector<std::string> vocabulary_;
  std::map<std::string, int64_t> ids_;
  int64_t max_tokens_ = 0;
};

}  // namespace rflab::core
