// One training run (SPEC §7): data order, captions, conditioning dropout, level sampling and
// noise from the counter-based seeds; AdamW with linear warm-up and optional gradient clipping;
// EMA; periodic validation loss (EMA weights) with the best checkpoint kept (D12); atomic
// checkpoints and resume. The frozen text conditioner comes from outside (a mini-CLIP's text
// tower, trained by eval/); only the backbone is optimised and EMA-averaged. Figures go to a
// MetricSink, so core/ knows nothing of the store.
#pragma once
#include <torch/torch.h>

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "core/data/dataset.h"
#include "core/train/checkpoint.h"
#include "core/train/ema.h"
#include "core/train/text_to_image.h"
#include "core/train/validation.h"
#include "results/phase_timing.h"

namespace rflab::core {

struct MetricSink {
  virtual ~MetricSink() = default;
  virtual void metrics(int64_t step, const std::vector<std::pair<std::string, double>>& values) = 0;
  virtual void log(const std::string& line) = 0;
  // Polled between steps: a true answer checkpoints and stops the run (SIGINT/SIGTERM).
  virtual bool stop_requested() { return false; }
};

enum class TrainOutcome { done, diverged, stopped };

struct TrainResult {
  TrainOutcome outcome = TrainOutcome::done;
  int64_t step = 0;
  double last_loss = 0;
  double best_val = 0;
  int64_t best_step = -1;
  std::string error;
};

class Trainer {
 public:
  // The live and EMA systems share `conditioner`'s tower, frozen; both, and the training images,
  // live on train.device (UserError when it is cuda and no CUDA device is there). Checkpoints go
  // to out_dir, always as CPU tensors, so a run resumes on either device.
  Trainer(const results::RunConfig& run_config, TextConditioner conditioner, std::string out_dir, MetricSink& sink);

  // Loads out_dir/checkpoint.safetensors when it exists and its config and conditioner key match
  // (UserError naming the file otherwise); returns the step resumed from (0 for a fresh run).
  int64_t resume();
  // Trains to train.steps (or until a stop is requested or the loss diverges). With a clock, the
  // wall-clock seconds of the optimiser steps, the validation passes and the checkpoint writes
  // (the best checkpoint's too) go into its phases training, validation and checkpoints.
  TrainResult run(results::PhaseClock* clock = nullptr);
  // One optimiser step; returns the batch loss.
  double step();
  void save(const std::string& path);
  // Draws the grid of SPEC D9 seeding: one row per grid prompt of the dataset (per class on
  // Fashion-MNIST), `per_class` columns, EMA weights.
  torch::Tensor sample_grid(int64_t per_class);

  int64_t current_step() const { return step_; }
  TextToImage& live() { return *live_; }
  TextToImage& ema() { return *ema_; }
  std::string checkpoint_path() const { return out_dir_ + "/checkpoint.safetensors"; }
  std::string best_path() const { return out_dir_ + "/best.safetensors"; }

 private:
  // What one step draws on the host from the counter-based seeds (SPEC D26): the same numbers
  // on every device. On CUDA the next step's is drawn on a second thread while the GPU works on
  // this one, in pinned memory, so the copies overlap and the GPU does not wait for it.
  struct HostBatch {
    torch::Tensor indices;  // [B] rows of the training set
    std::vector<std::string> captions;
    torch::Tensor drop;     // [B] bool: conditioning zeroed
    Levels levels;
    torch::Tensor eps;      // [B, C, S, S]
  };
  HostBatch host_batch(int64_t step);
  HostBatch take_host_batch();
  torch::Tensor batch_indices(int64_t step);
  // Logs the EMA validation loss at the current step; true when it is a new best (strictly lower).
  bool validate();

  results::RunConfig config_;
  std::string out_dir_;
  MetricSink& sink_;
  Dataset data_;
  torch::Device device_{torch::kCPU};
  torch::Tensor train_images_;  // data_'s training images on device_
  std::unique_ptr<TextToImage> live_, ema_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  Ema ema_rule_;
  ValidationSet val_set_;
  uint64_t seed_ = 0;
  int64_t step_ = 0;
  int64_t batch_size_ = 0;
  double train_flops_per_step_ = 0;  // SPEC §9.8: 6·MACs_fwd(d, N, M) per sample × batch
  int64_t parameter_count_ = 0;      // the backbone's trainable parameters
  int64_t cached_epoch_ = -1;
  torch::Tensor permutation_;
  std::future<HostBatch> prefetch_;  // CUDA: the host batch of step prefetch_step_
  int64_t prefetch_step_ = -1;
  double best_val_ = std::numeric_limits<double>::infinity();
  int64_t best_step_ = -1;
  // Running figures, checkpointed (CheckpointMeta) so a resumed run logs what an uninterrupted one does.
  double window_loss_sum_ = 0;  // training losses since the last log row
  int64_t window_loss_n_ = 0;
  std::deque<double> recent_losses_;  // the spike guard's last 100 losses
  double recent_loss_sum_ = 0;
};

}  // namespace rflab::core
