#include "core/train/text_to_image.h"

#include "core/train/seeds.h"
#include "core/util/shards.h"
#include "results/error.h"

namespace rflab::core {

namespace {
// The run config's conditioning widths must be the tower's: a mismatch is the user's config.
void require_match(const char* key, int64_t value, int64_t tower_value, const std::string& what) {
  if (value != tower_value)
    throw_input_error("run config", key, std::to_string(tower_value) + " (the conditioner's " + what + ")",
                      std::to_string(value));
}
}  // namespace

TextToImage::TextToImage(const results::RunConfig& rc, TextConditioner cond)
    : config(rc), conditioner(std::move(cond)), formulation(Formulation::parse(rc.formulation.name)) {
  if (!conditioner.tower) throw std::logic_error("TextToImage: no text tower");
  const auto& tc = conditioner.tower->config;
  if (conditioner.tokenizer.vocabulary_size() != tc.vocabulary || conditioner.tokenizer.max_tokens() != tc.max_tokens)
    throw std::logic_error("TextToImage: the tokenizer does not fit the text tower");
  require_match("model.context_dim", rc.model.context_dim, tc.width, "text width");
  use_pooled = rc.model.pooled_dim != 0;
  if (use_pooled) require_match("model.pooled_dim", rc.model.pooled_dim, tc.embed_dim, "embedding width");
  require_match("text.max_tokens", rc.text.max_tokens, tc.max_tokens, "token count");
  conditioner.tower->freeze();
  formulation.set_shift(rc.formulation.shift);
  image_size = rc.data.image_size;
  channels = rc.model.in_channels;
  precision = precision_named(rc.train.precision);
  backbone = make_backbone(BackboneConfig::from_run_config(rc));  // the shape was checked by RunConfig::parse
}

Conditioning TextToImage::encode(const std::vector<std::string>& prompts) {
  torch::NoGradGuard g;
  auto c = conditioner.tower->forward(conditioner.tokenizer.encode(prompts).to(device));
  if (!use_pooled) c.pooled = torch::Tensor();
  return c;
}

Network TextToImage::network() {
  return [this](const torch::Tensor& z_in, const torch::Tensor& c_t, const Conditioning& cond) {
    AutocastScope autocast(device, precision);
    return backbone->forward(z_in, c_t, cond.pooled, cond.context).to(torch::kFloat32);
  };
}

torch::Tensor TextToImage::generate(const std::vector<std::string>& prompts, const SamplerOptions& options,
                                    uint64_t seed, int64_t first_index, int64_t* network_evals,
                                    torch::Tensor* path_length) {
  torch::NoGradGuard g;
  const int64_t B = static_cast<int64_t>(prompts.size());
  // On the CPU the batch is sampled in parts, one core each (core/util/shards.h). A sample depends
  // only on its own noise (drawn by its index) and prompt, so the parts give the images one batch would.
  const int64_t rows_per_sample = options.cfg == 1.0 ? 1 : 2;
  const auto bounds = part_bounds(B, device.is_cpu() ? inference_parts(B, rows_per_sample) : 1);
  const int64_t parts = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<torch::Tensor> images(parts), lengths(parts);
  std::vector<int64_t> evals(parts, 0);
  run_shards(parts, [&](int64_t p) {
    const int64_t from = bounds[p], n = bounds[p + 1] - from;
    std::vector<torch::Tensor> noise;
    for (int64_t i = from; i < from + n; ++i) {
      auto gen = make_cpu_generator(seed, Stream::sampling, static_cast<uint64_t>(first_index + i));
      noise.push_back(torch::randn({channels, image_size, image_size}, gen));
    }
    auto eps = torch::stack(noise).to(device);
    auto cond = encode({prompts.begin() + from, prompts.begin() + from + n});
    images[p] = sample(formulation, network(), eps, cond, options, &evals[p], path_length ? &lengths[p] : nullptr);
  });
  if (network_evals) *network_evals = evals.front();  // passes per sample, the same in every part
  if (path_length) *path_length = torch::cat(lengths);
  return torch::cat(images);
}

std::vector<torch::Tensor> TextToImage::parameters() { return backbone->parameters(); }

void TextToImage::to(torch::Device d) {
  device = d;
  backbone->to(d);
  conditioner.tower->to(d);
}

}  // namespace rflab::core
