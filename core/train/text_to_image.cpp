#include "core/train/text_to_image.h"

#include "core/data/fashion_mnist.h"
#include "core/train/seeds.h"

namespace rflab::core {

namespace {
TextEncoderConfig text_config(const nlohmann::json& rc, int64_t vocabulary) {
  TextEncoderConfig t;
  t.vocabulary = vocabulary;
  t.max_tokens = rc.at("text").at("max_tokens").get<int64_t>();
  t.layers = rc.at("text").at("layers").get<int64_t>();
  t.context_dim = rc.at("model").at("context_dim").get<int64_t>();
  t.pooled_dim = rc.at("model").at("pooled_dim").get<int64_t>();
  t.width = t.context_dim;
  t.heads = t.width % 64 == 0 ? t.width / 64 : 1;
  return t;
}
}  // namespace

Tokenizer dataset_tokenizer(const nlohmann::json& rc) {
  std::vector<std::string> corpus = {"a photo of a"};
  for (const auto& names : FashionMnist::synonyms())
    for (const auto& n : names) corpus.push_back(n);
  return Tokenizer::from_corpus(corpus, rc.at("text").at("max_tokens").get<int64_t>());
}

TextToImage::TextToImage(const nlohmann::json& rc, Tokenizer tok)
    : config(rc), tokenizer(std::move(tok)), formulation(Formulation::parse(rc.at("formulation").get<std::string>())) {
  formulation.set_shift(rc.at("shift").get<double>());
  image_size = rc.at("data").at("image_size").get<int64_t>();
  channels = rc.at("model").at("in_channels").get<int64_t>();
  auto mc = MMDiTConfig::from_run_config(rc);
  if (image_size % mc.patch_size != 0)
    throw std::invalid_argument("model.patch_size: expected a divisor of data.image_size " + std::to_string(image_size) +
                                ", got " + std::to_string(mc.patch_size));
  text = TextEncoder(text_config(rc, tokenizer.vocabulary_size()));
  mmdit = MMDiT(mc);
}

Conditioning TextToImage::encode(const std::vector<std::string>& prompts) {
  return text->forward(tokenizer.encode(prompts).to(device));
}

Network TextToImage::network() {
  return [this](const torch::Tensor& z_in, const torch::Tensor& c_t, const Conditioning& cond) {
    return mmdit->forward(z_in, c_t, cond.pooled, cond.context);
  };
}

torch::Tensor TextToImage::generate(const std::vector<std::string>& prompts, const SamplerOptions& options,
                                    uint64_t seed, int64_t first_index, int64_t* network_evals) {
  torch::NoGradGuard g;
  const int64_t B = static_cast<int64_t>(prompts.size());
  std::vector<torch::Tensor> noise;
  for (int64_t i = 0; i < B; ++i) {
    auto gen = make_cpu_generator(seed, Stream::sampling, static_cast<uint64_t>(first_index + i));
    noise.push_back(torch::randn({channels, image_size, image_size}, gen));
  }
  auto eps = torch::stack(noise).to(device);
  auto cond = encode(prompts);
  return sample(formulation, network(), eps, cond, options, network_evals);
}

std::vector<torch::Tensor> TextToImage::parameters() {
  auto p = mmdit->parameters();
  auto t = text->parameters();
  p.insert(p.end(), t.begin(), t.end());
  return p;
}

void TextToImage::to(torch::Device d) {
  device = d;
  mmdit->to(d);
  text->to(d);
}

}  // namespace rflab::core
