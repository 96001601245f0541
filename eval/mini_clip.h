// A small CLIP (Radford et al. 2021) trained on the study's own images and captions, since no
// pretrained CLIP can be downloaded here: a CNN image tower and a transformer text tower over the
// dataset tokenizer's ids, each projected to a shared embedding, trained with the symmetric
// InfoNCE loss and a learnable logit scale. Two instances by default: the "conditioner", whose
// frozen text tower conditions the generative models, and the "evaluator" (other seed and
// architecture) whose embeddings give CLIP-FID and CLIP score (SPEC §5.4).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/formulation/conditioning.h"
#include "core/text/clip_text_tower.h"
#include "core/text/tokenizer.h"
#include "eval/conv_tower.h"
#include "eval/eval_dataset.h"

namespace rflab::eval {

struct MiniClipConfig {
  // The layout of the stored tensors; part of the cache key, so files of an older layout are
  // retrained rather than mis-loaded. A config JSON without the field is layout 1.
  static constexpr int64_t kFormat = 2;
  int64_t format = kFormat;
  std::string role = "conditioner";  // part of the identity: two roles never share a file
  uint64_t seed = 1;
  // image tower (ConvTower) over images with in_channels channels
  int64_t in_channels = 1;
  int64_t image_size = 32;
  std::vector<int64_t> image_channels = {32, 64, 128};
  int64_t image_convs_per_stage = 1;
  // text tower (core::ClipTextTower): token + position embedding, pre-LN transformer layers,
  // LayerNorm, projection head to embed_dim
  int64_t max_tokens = 8;
  int64_t text_width = 64;
  int64_t text_layers = 1;
  int64_t text_heads = 4;
  int64_t embed_dim = 64;  // the shared embedding (projection heads' output)
  // training (AdamW, linear warmup then cosine decay)
  int64_t steps = 400;
  int64_t batch_size = 128;
  double learning_rate = 2e-3;
  double weight_decay = 1e-4;
  double init_temperature = 0.07;  // logit scale starts at 1/T (CLIP's value), capped at 100

  nlohmann::json to_json() const;
  // Fields absent from j keep their defaults; `where` names the source in errors.
  static MiniClipConfig from_json(const nlohmann::json& j, const std::string& where);
  static MiniClipConfig conditioner();
  static MiniClipConfig evaluator();  // seed 2, two narrower convs per stage, 2 text layers
  core::ClipTextTowerConfig text_tower(int64_t vocabulary) const;
};

struct MiniClipImpl : torch::nn::Module {
  MiniClipImpl(const MiniClipConfig& config, core::Tokenizer tokenizer);

  // Image embeddings [B, E] after the projection head, not normalised (SPEC §5.4 CLIP-FID).
  torch::Tensor encode_image(const torch::Tensor& images);
  // The text tower's token states [B, M, text_width] and its pooled embedding [B, E] (the masked
  // mean of the states through the projection head) — the conditioning of a generative model.
  // The same as text->forward(ids).
  core::Conditioning encode_text_ids(const torch::Tensor& ids);
  core::Conditioning encode_text(const std::vector<std::string>& prompts);
  torch::Tensor text_embedding(const std::vector<std::string>& prompts);  // [B, E], not normalised
  // exp(logit_scale) * normalised image x text, [B_img, B_txt].
  torch::Tensor logits(const torch::Tensor& image_emb, const torch::Tensor& text_emb);
  // Stops gradients and sets eval mode: the conditioner's text tower stays frozen.
  void freeze();

  MiniClipConfig config;
  core::Tokenizer tokenizer;
  ConvTower image{nullptr};
  torch::nn::Linear image_proj{nullptr};
  core::ClipTextTower text{nullptr};  // with its projection head; the conditioner's frozen encoder
  torch::Tensor logit_scale;  // scalar, log of the inverse temperature
};
TORCH_MODULE(MiniClip);

// The symmetric InfoNCE loss of a batch of matched pairs: mean of the image->text and
// text->image cross-entropies with targets on the diagonal.
torch::Tensor clip_loss(const torch::Tensor& logits);

// Fraction of images whose nearest class prompt (cosine of embeddings) is their label.
double zero_shot_accuracy(MiniClip& model, const torch::Tensor& images, const torch::Tensor& labels,
                          const std::vector<std::string>& class_prompts, int64_t batch = 500);

struct MiniClipReport {
  double heldout_zero_shot_accuracy = 0;
  int64_t heldout_n = 0;
  double final_loss = 0;  // mean loss of the last 10% of steps
  double train_seconds = 0;
  nlohmann::json to_json() const;
  static MiniClipReport from_json(const nlohmann::json& j, const std::string& where);
};

struct TrainedMiniClip {
  MiniClip model{nullptr};
  MiniClipReport report;
  std::string path;  // cache file ("" when not cached)
  std::string key;   // cache key (sha256 hex)
  bool from_cache = false;
};

using ProgressFn = std::function<void(int64_t step, int64_t steps, double loss)>;

// Trains on data.train with captions drawn by data.caption; step s draws its batch and captions
// from generators seeded (config.seed, stream, s), so a config and dataset give one model. The
// report's accuracy is measured on all of data.heldout.
TrainedMiniClip train_mini_clip(const MiniClipConfig& config, const EvalDataset& data, const ProgressFn& progress = {});

std::string mini_clip_cache_key(const MiniClipConfig& config, const EvalDataset& data);
// `config` with the dataset's image channels and a context that holds its longest caption
// (unchanged on Fashion-MNIST, so cached evaluators stay valid).
MiniClipConfig fitted_to(MiniClipConfig config, const EvalDataset& data);

void save_mini_clip(const TrainedMiniClip& trained, const std::string& path, const std::string& dataset_identity);
// UserError naming the file when it is corrupt or not a mini-CLIP.
TrainedMiniClip load_mini_clip(const std::string& path);
// The cached model of (config, data) in cache_dir if present, else trains and caches it.
TrainedMiniClip load_or_train_mini_clip(const MiniClipConfig& config, const EvalDataset& data,
                                        const std::string& cache_dir, const ProgressFn& progress = {});

}  // namespace rflab::eval
