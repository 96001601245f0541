#include "eval/mini_clip.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "core/train/backward_in_parts.h"
#include "core/train/seeds.h"
#include "eval/config_fields.h"
#include "eval/model_cache.h"
#include "eval/training_schedule.h"
#include "results/error.h"

namespace rflab::eval {

namespace nn = torch::nn;
constexpr const char* kKind = "clip";
constexpr double kMaxLogitScale = 4.605170185988092;  // log(100), CLIP's cap

nlohmann::json MiniClipConfig::to_json() const {
  return {{"format", format},
          {"role", role},
          {"seed", seed},
          {"in_channels", in_channels},
          {"image_size", image_size},
          {"image_channels", image_channels},
          {"image_convs_per_stage", image_convs_per_stage},
          {"max_tokens", max_tokens},
          {"text_width", text_width},
          {"text_layers", text_layers},
          {"text_heads", text_heads},
          {"embed_dim", embed_dim},
          {"steps", steps},
          {"batch_size", batch_size},
          {"learning_rate", learning_rate},
          {"weight_decay", weight_decay},
          {"init_temperature", init_temperature}};
}

MiniClipConfig MiniClipConfig::from_json(const nlohmann::json& j, const std::string& where) {
  MiniClipConfig c;
  ConfigFields f(j, where);
  c.format = 1;
  f.read("format", c.format);
  f.read("role", c.role);
  f.read("seed", c.seed);
  f.read("in_channels", c.in_channels);
  f.read("image_size", c.image_size);
  f.read("image_channels", c.image_channels);
  f.read("image_convs_per_stage", c.image_convs_per_stage);
  f.read("max_tokens", c.max_tokens);
  f.read("text_width", c.text_width);
  f.read("text_layers", c.text_layers);
  f.read("text_heads", c.text_heads);
  f.read("embed_dim", c.embed_dim);
  f.read("steps", c.steps);
  f.read("batch_size", c.batch_size, 2);
  f.read("learning_rate", c.learning_rate);
  f.read("weight_decay", c.weight_decay, -1e-300);
  f.read("init_temperature", c.init_temperature);
  f.finish();
  if (c.text_width % c.text_heads != 0)
    throw_input_error(where, "text_heads", "a divisor of text_width " + std::to_string(c.text_width),
                      std::to_string(c.text_heads));
  return c;
}

MiniClipConfig MiniClipConfig::conditioner() { return MiniClipConfig{}; }

MiniClipConfig MiniClipConfig::evaluator() {
  MiniClipConfig c;
  c.role = "evaluator";
  c.seed = 2;
  // Two narrower convolutions per stage: a different tower at about the conditioner's cost.
  c.image_channels = {16, 32, 64};
  c.image_convs_per_stage = 2;
  c.text_layers = 2;
  return c;
}

core::ClipTextTowerConfig MiniClipConfig::text_tower(int64_t vocabulary) const {
  core::ClipTextTowerConfig t;
  t.vocabulary = vocabulary;
  t.max_tokens = max_tokens;
  t.width = text_width;
  t.layers = text_layers;
  t.heads = text_heads;
  t.embed_dim = embed_dim;
  return t;
}

MiniClipImpl::MiniClipImpl(const MiniClipConfig& c, core::Tokenizer tok)
    : config(c), tokenizer(std::move(tok)) {
  if (tokenizer.max_tokens() != c.max_tokens)
    throw std::invalid_argument("MiniClip: tokenizer max_tokens differs from the config's");
  image = register_module("image", ConvTower(c.in_channels, c.image_size, c.image_channels, c.image_convs_per_stage));
  image_proj = register_module("image_proj", nn::Linear(image->out_dim, c.embed_dim));
  text = register_module("text", core::ClipTextTower(c.text_tower(tokenizer.vocabulary_size())));
  logit_scale = register_parameter("logit_scale", torch::tensor(std::log(1.0 / c.init_temperature)));
}

torch::Tensor MiniClipImpl::encode_image(const torch::Tensor& images) {
  return image_proj->forward(image->forward(images));
}

core::Conditioning MiniClipImpl::encode_text_ids(const torch::Tensor& ids) { return text->forward(ids); }

core::Conditioning MiniClipImpl::encode_text(const std::vector<std::string>& prompts) {
  return encode_text_ids(tokenizer.encode(prompts).to(text->position_embedding.device()));
}

torch::Tensor MiniClipImpl::text_embedding(const std::vector<std::string>& prompts) {
  return encode_text(prompts).pooled;
}

torch::Tensor MiniClipImpl::logits(const torch::Tensor& image_emb, const torch::Tensor& text_emb) {
  auto i = torch::nn::functional::normalize(image_emb, torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto t = torch::nn::functional::normalize(text_emb, torch::nn::functional::NormalizeFuncOptions().dim(1));
  return logit_scale.clamp_max(kMaxLogitScale).exp() * i.matmul(t.t());
}

void MiniClipImpl::freeze() {
  for (auto& p : parameters()) p.set_requires_grad(false);
  eval();
}

torch::Tensor clip_loss(const torch::Tensor& logits) {
  auto target = torch::arange(logits.size(0), torch::TensorOptions().dtype(torch::kInt64).device(logits.device()));
  return 0.5 * (torch::nn::functional::cross_entropy(logits, target) +
                torch::nn::functional::cross_entropy(logits.t(), target));
}

double zero_shot_accuracy(MiniClip& model, const torch::Tensor& images, const torch::Tensor& labels,
                          const std::vector<std::string>& class_prompts, int64_t batch) {
  torch::NoGradGuard g;
  const int64_t n = images.size(0);
  if (n == 0) return std::nan("");
  auto text = model->text_embedding(class_prompts);
  int64_t correct = 0;
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t b = std::min(batch, n - i);
    auto pred = model->logits(model->encode_image(images.narrow(0, i, b)), text).argmax(1);
    correct += (pred == labels.narrow(0, i, b)).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / n;
}

nlohmann::json MiniClipReport::to_json() const {
  return {{"heldout_zero_shot_accuracy", heldout_zero_shot_accuracy},
          {"heldout_n", heldout_n},
          {"final_loss", final_loss},
          {"train_seconds", train_seconds}};
}

MiniClipReport MiniClipReport::from_json(const nlohmann::json& j, const std::string& where) {
  MiniClipReport r;
  try {
    r.heldout_zero_shot_accuracy = j.at("heldout_zero_shot_accuracy").get<double>();
    r.heldout_n = j.at("heldout_n").get<int64_t>();
    r.final_loss = j.at("final_loss").get<double>();
    r.train_seconds = j.at("train_seconds").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(where, "__metadata__.report", "the mini-CLIP training report", e.what());
  }
  return r;
}

TrainedMiniClip train_mini_clip(const MiniClipConfig& config, const EvalDataset& data, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  require_dataset_value("mini-CLIP config", "in_channels", data.channels(), config.in_channels);
  require_dataset_value("mini-CLIP config", "image_size", data.image_size(), config.image_size);
  torch::manual_seed(core::mix_seed(config.seed, core::Stream::init, 0));
  TrainedMiniClip out;
  out.model = MiniClip(config, data.tokenizer(config.max_tokens));
  auto& model = out.model;
  model->train();
  const AdamWPlan plan{config.learning_rate, config.weight_decay, config.steps, config.batch_size, config.seed};
  out.report.final_loss = train_adamw(
      model->parameters(), plan, data.train.images.size(0),
      [&](int64_t s, const torch::Tensor& idx) {
        std::mt19937_64 rng(core::mix_seed(config.seed, core::Stream::captions, s));
        const auto rows = idx.contiguous();
        const auto row = rows.accessor<int64_t, 1>();
        std::vector<std::string> captions;
        for (int64_t i = 0; i < config.batch_size; ++i) captions.push_back(data.train_caption(row[i], rng));
        const auto images = data.train.images.index_select(0, idx);
        const auto ids = model->tokenizer.encode(captions);
        const int64_t E = config.embed_dim;
        return core::backward_in_parts(
            idx.size(0), model->parameters(),
            [&](int64_t from, int64_t n) {  // [n, 2E]: image embeddings, then text embeddings
              return torch::cat({model->encode_image(images.narrow(0, from, n)),
                                 model->encode_text_ids(ids.narrow(0, from, n)).pooled}, 1);
            },
            [&](const torch::Tensor& emb) {
              return clip_loss(model->logits(emb.narrow(1, 0, E), emb.narrow(1, E, E)));
            });
      },
      progress);
  model->eval();
  out.report.heldout_n = data.heldout.images.size(0);
  out.report.heldout_zero_shot_accuracy =
      zero_shot_accuracy(model, data.heldout.images, data.heldout.labels, data.class_prompts);
  out.report.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.key = mini_clip_cache_key(config, data);
  return out;
}

MiniClipConfig fitted_to(MiniClipConfig config, const EvalDataset& data) {
  config.in_channels = data.channels();
  config.max_tokens = std::max(config.max_tokens, data.max_caption_words);
  return config;
}

std::string mini_clip_cache_key(const MiniClipConfig& config, const EvalDataset& data) {
  return cache_key(kKind, config.to_json(), data.identity);
}

void save_mini_clip(const TrainedMiniClip& trained, const std::string& path, const std::string& dataset_identity) {
  StoredNetwork net;
  net.path = path;
  net.kind = kKind;
  net.key = trained.key;
  net.dataset_identity = dataset_identity;
  net.config = trained.model->config.to_json();
  net.report = trained.report.to_json();
  net.vocabulary = trained.model->tokenizer.vocabulary();
  net.tensors = module_tensors(*trained.model);
  write_network(net);
}

TrainedMiniClip load_mini_clip(const std::string& path) {
  StoredNetwork net = read_network(path, kKind);
  const auto config = MiniClipConfig::from_json(net.config, path + ": __metadata__.config");
  if (config.format != MiniClipConfig::kFormat)
    throw_input_error(path, "__metadata__.config.format", std::to_string(MiniClipConfig::kFormat),
                      std::to_string(config.format) + " (an older tensor layout; delete the file to retrain)");
  TrainedMiniClip out;
  out.model = MiniClip(config, core::Tokenizer::from_vocabulary(net.vocabulary, config.max_tokens));
  load_module_tensors(*out.model, net.tensors, path);
  out.model->eval();
  out.report = MiniClipReport::from_json(net.report, path);
  out.path = path;
  out.key = net.key;
  out.from_cache = true;
  return out;
}

TrainedMiniClip load_or_train_mini_clip(const MiniClipConfig& config, const EvalDataset& data,
                                        const std::string& cache_dir, const ProgressFn& progress) {
  return load_or_train<TrainedMiniClip>(
      cache_dir, kKind, mini_clip_cache_key(config, data), load_mini_clip,
      [&] { return train_mini_clip(config, data, progress); },
      [&](const TrainedMiniClip& t, const std::string& path) { save_mini_clip(t, path, data.identity); });
}

}  // namespace rflab::eval
