// Shape of an MM-DiT (SPEC §9.1): depth d, hidden H (default 64d), heads (default d), patch p,
// channels C, context width T, pooled width P. Plain data; no torch.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "results/run_config.h"

namespace rflab::core {

struct MMDiTConfig {
  int64_t depth = 4;
  int64_t hidden = 256;
  int64_t heads = 4;
  int64_t patch_size = 2;
  int64_t in_channels = 4;
  int64_t out_channels = 4;
  int64_t context_dim = 48;
  int64_t pooled_dim = 32;  // 0 = no pooled-vector embedder (y = t_emb)
  int64_t mlp_ratio = 4;
  int64_t pos_embed_max_size = 12;  // G of the G x G position table
  bool qk_norm = true;
  int64_t frequency_dim = 256;      // F, timestep frequencies

  int64_t head_dim() const { return hidden / heads; }

  // From a run config: the sizing rule for width and heads, the training patch grid for a
  // position table of size 0 (results::ModelConfig).
  static MMDiTConfig from_run_config(const results::RunConfig& run_config);
  // Throws std::invalid_argument naming the field when the shape breaks results::model_shape_problem.
  void validate() const;
  nlohmann::json to_json() const;
};

}  // namespace rflab::core
