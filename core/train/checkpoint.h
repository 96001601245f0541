// A training checkpoint in one safetensors file, written atomically: the live and EMA weights
// of the backbone (under the reference's parameter names, prefix "model." / "ema.model."), one copy
// of the frozen text tower ("conditioner."; live and EMA share it), the AdamW state (named
// tensors "optimizer.G.I.*" per parameter, so equal states give equal bytes), and metadata: the
// canonical run config, the step, the tokenizer vocabulary, the conditioner's cache key and
// tower config, the best validation so far and the trainer's running figures. The file alone
// rebuilds a sampler. The random state needs no saving: it is a function of (seed, step) (seeds.h).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/train/text_to_image.h"

namespace rflab::core {

struct CheckpointMeta {
  int64_t step = 0;
  results::RunConfig config;
  std::vector<std::string> vocabulary;
  // Read back only: save_checkpoint writes the live system's conditioner.
  std::string conditioner_key;       // cache key of the mini-CLIP whose text tower conditions
  nlohmann::json conditioner_tower;  // its ClipTextTowerConfig
  double best_val = std::numeric_limits<double>::infinity();  // native EMA validation loss (D12)
  int64_t best_step = -1;
  // The trainer's running figures, so that a resumed run stores what an uninterrupted one would:
  // the training-loss window since the last log row, and the spike guard's last losses (oldest
  // first) with their running sum. Absent in older checkpoints (read as empty).
  double window_loss_sum = 0;
  int64_t window_loss_n = 0;
  std::vector<double> recent_losses;
  double recent_loss_sum = 0;
};

void save_checkpoint(const std::string& path, TextToImage& live, TextToImage& ema, torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta);

// Reads the metadata and tensors; UserError naming the file and field.
struct LoadedCheckpoint {
  CheckpointMeta meta;
  std::map<std::string, torch::Tensor> tensors;
};
LoadedCheckpoint read_checkpoint(const std::string& path);

// Copies the `prefix`+name MM-DiT tensors ("model." or "ema.model.") into `system`.
void load_weights(TextToImage& system, const LoadedCheckpoint& ck, const std::string& prefix, const std::string& source);
// The frozen text conditioner stored in a checkpoint ("conditioner." tensors).
TextConditioner load_conditioner(const LoadedCheckpoint& ck, const std::string& source);
// The system of a checkpoint with its "ema" or "raw" weights and its stored conditioner, in eval
// mode: the one way a checkpoint becomes a sampler (rflab sample, rflab eval).
std::unique_ptr<TextToImage> load_text_to_image(const LoadedCheckpoint& ck, const std::string& weights,
                                                const std::string& source);
void load_optimizer(torch::optim::Optimizer& optimizer, const LoadedCheckpoint& ck, const std::string& source);

}  // namespace rflab::core
