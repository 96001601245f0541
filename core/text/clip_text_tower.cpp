#include "core/text/clip_text_tower.h"

#include "results/error.h"

namespace rflab::core {

namespace nn = torch::nn;

nlohmann::json ClipTextTowerConfig::to_json() const {
  return {{"vocabulary", vocabulary}, {"max_tokens", max_tokens}, {"width", width},
          {"layers", layers},         {"heads", heads},           {"embed_dim", embed_dim}};
}

ClipTextTowerConfig ClipTextTowerConfig::from_json(const nlohmann::json& j, const std::string& where) {
  ClipTextTowerConfig c;
  auto read = [&](const char* field, int64_t& v, int64_t min) {
    if (!j.is_object() || !j.contains(field) || !j.at(field).is_number_integer() || j.at(field).get<int64_t>() < min)
      throw_input_error(where, field, "an integer >= " + std::to_string(min),
                        j.is_object() && j.contains(field) ? j.at(field).dump() : "none");
    v = j.at(field).get<int64_t>();
  };
  read("vocabulary", c.vocabulary, 2);
  read("max_tokens", c.max_tokens, 1);
  read("width", c.width, 1);
  read("layers", c.layers, 0);
  read("heads", c.heads, 1);
  read("embed_dim", c.embed_dim, 1);
  if (c.width % c.heads != 0)
    throw_input_error(where, "heads", "a divisor of width " + std::to_string(c.width), std::to_string(c.heads));
  return c;
}

ClipTextTowerImpl::ClipTextTowerImpl(const ClipTextTowerConfig& c) : config(c) {
  token_embedding = register_module("token_embedding", nn::Embedding(c.vocabulary, c.width));
  position_embedding = register_parameter("position_embedding", torch::randn({c.max_tokens, c.width}) * 0.02);
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.layers; ++i) layers->push_back(TextLayer(c.width, c.heads));
  ln_final = register_module("ln_final", nn::LayerNorm(nn::LayerNormOptions({c.width})));
  proj = register_module("proj", nn::Linear(c.width, c.embed_dim));
  torch::NoGradGuard g;
  nn::init::normal_(token_embedding->weight, 0.0, 0.02);
}

Conditioning ClipTextTowerImpl::forward(const torch::Tensor& ids) {
  auto x = token_embedding->forward(ids) + position_embedding.unsqueeze(0);
  for (auto& layer : *layers) x = layer->as<TextLayerImpl>()->forward(x);
  x = ln_final->forward(x);
  // Pool over the caption's own tokens only, so padding length does not move the embedding.
  auto mask = (ids != Tokenizer::kPad).to(x.dtype()).unsqueeze(-1);
  auto pooled = (x * mask).sum(1) / mask.sum(1).clamp_min(1.0);
  return {proj->forward(pooled), x};
}

void ClipTextTowerImpl::freeze() {
  for (auto& p : parameters()) p.set_requires_grad(false);
  eval();
}

}  // namespace rflab::core
