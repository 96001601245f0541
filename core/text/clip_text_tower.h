// The text tower of a CLIP (Radford et al. 2021): token + learned position embedding, pre-LN
// transformer layers, a final LayerNorm, and a projection head over the masked mean of the token
// states. Its token states [B, M, width] and pooled embedding [B, embed_dim] are the two
// conditioning inputs of SPEC §7.2. Trained inside eval::MiniClip; frozen, it is the text encoder
// the generative models are trained with (TextConditioner).
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/formulation/conditioning.h"
#include "core/text/text_layer.h"
#include "core/text/tokenizer.h"

namespace rflab::core {

struct ClipTextTowerConfig {
  int64_t vocabulary = 0;
  int64_t max_tokens = 8;  // M
  int64_t width = 64;      // token states, the context width T
  int64_t layers = 1;
  int64_t heads = 4;
  int64_t embed_dim = 64;  // projection head, the pooled width P

  nlohmann::json to_json() const;
  // UserError naming `where` and the field when a field is missing or not a positive integer.
  static ClipTextTowerConfig from_json(const nlohmann::json& j, const std::string& where);
  bool operator==(const ClipTextTowerConfig& o) const { return to_json() == o.to_json(); }
};

struct ClipTextTowerImpl : torch::nn::Module {
  explicit ClipTextTowerImpl(const ClipTextTowerConfig& config);
  // ids [B, M] int64 -> pooled [B, embed_dim] (after the projection head) and context [B, M, width].
  Conditioning forward(const torch::Tensor& ids);
  // Stops gradients and sets eval mode.
  void freeze();

  ClipTextTowerConfig config;
  torch::nn::Embedding token_embedding{nullptr};
  torch::Tensor position_embedding;  // [M, width]
  torch::nn::ModuleList layers{nullptr};  // TextLayer
  torch::nn::LayerNorm ln_final{nullptr};
  torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(ClipTextTower);

// A frozen text tower as the generative models use it: the tower, its tokenizer, and the
// identity (cache key) of the mini-CLIP it was trained in, which checkpoints record.
struct TextConditioner {
  ClipTextTower tower{nullptr};
  Tokenizer tokenizer;
  std::string key;
};

}  // namespace rflab::core
