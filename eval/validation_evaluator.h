// Validation loss (SPEC §5.1) as an evaluator: the native and velocity losses of any checkpoint
// with its EMA or raw weights, on the validation set the trainer used (core::validation_set,
// noise from val_seed), so the EMA figure of the best
// checkpoint equals the val/native the trainer logged at that step.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/train/checkpoint.h"
#include "core/train/validation.h"
#include "results/store.h"

namespace rflab::eval {

// The trainer's validation set of a complete run config.
core::ValidationSet validation_set_of(const results::RunConfig& run_config);

struct CheckpointValidation {
  core::ValidationLoss loss;
  int64_t step = 0;
  int64_t n = 0;  // |V|
  std::string weights;
};

CheckpointValidation validate_checkpoint(const core::LoadedCheckpoint& ck, const std::string& weights,
                                         const std::string& source, torch::Device device = torch::kCPU);

// The EMA validation the trainer stored when it wrote the checkpoint (its metric rows at the
// checkpoint's step: the same weights, set, noise and computation as validate_checkpoint's, whose
// figures do not depend on the thread count), or nothing when the run has no complete set of them
// at that step. rflab eval takes these instead of computing them again.
std::optional<CheckpointValidation> trained_ema_validation(const core::LoadedCheckpoint& ck,
                                                           const std::vector<results::MetricRow>& run_metrics);

// Rows of setting "val" (steps 0, cfg 0, no feature space) named as the trainer's metric series:
// val/native, val/velocity and per level val/native/t=0.000 ...
std::vector<results::EvaluationRow> validation_rows(const CheckpointValidation& v, int64_t run_id);

}  // namespace rflab::eval
