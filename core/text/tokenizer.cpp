#include "core/text/tokenizer.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace rflab::core {

std::vector<std::string> Tokenizer::words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u)) {
      cur.push_back(static_cast<char>(std::tolower(u)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Tokenizer Tokenizer::from_corpus(const std::vector<std::string>& texts, int64_t max_tokens) {
  std::set<std::string> all;
  for (const auto& t : texts)
    for (auto& w : words(t)) all.insert(w);
  std::vector<std::string> vocab = {"<pad>", "<unk>"};
  vocab.insert(vocab.end(), all.begin(), all.end());
  return from_vocabulary(vocab, max_tokens);
}

Tokenizer Tokenizer::from_vocabulary(const std::vector<std::string>& vocabulary, int64_t max_tokens) {
  if (vocabulary.size() < 2 || vocabulary[0] != "<pad>" || vocabulary[1] != "<unk>")
    throw std::invalid_argument("tokenizer vocabulary must start with <pad>, <unk>");
  if (max_tokens < 1) throw std::invalid_argument("tokenizer: max_tokens must be >= 1");
  Tokenizer t;
  t.vocabulary_ = vocabulary;
  t.max_tokens_ = max_tokens;
  for (size_t i = 0; i < vocabulary.size(); ++i) t.ids_[vocabulary[i]] = static_cast<int64_t>(i);
  return t;
}

torch::Tensor Tokenizer::encode(const std::vector<std::string>& texts) const {
  auto out = torch::full({static_cast<int64_t>(texts.size()), max_tokens_}, kPad, torch::kInt64);
  auto acc = out.accessor<int64_t, 2>();
  for (size_t b = 0; b < texts.size(); ++b) {
    auto ws = words(texts[b]);
    for (int64_t i = 0; i < std::min<int64_t>(max_tokens_, static_cast<int64_t>(ws.size())); ++i) {
      auto it = ids_.find(ws[i]);
      acc[b][i] = it == ids_.end() ? kUnknown : it->second;
    }
  }
  return out;
}

}  // namespace rflab::core
