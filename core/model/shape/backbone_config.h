// Shape of a backbone (SPEC §9.1, §9.9): which backbone and, for DiT, which block design; depth
// d, hidden H (default 64d), heads (default d), patch p, channels C, context width T, pooled
// width P. Plain data, torch-free: the closed forms (model_size.h), the sweep helper that matches
// parameter counts and the modules all read it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "results/run_config.h"

namespace rflab::core {

// model.backbone (docs/architectures.md).
enum class BackboneKind { mmdit, mmdit3, dit, crossdit, uvit };
// model.conditioning: how a `dit` block takes the conditioning vector (DiT paper Fig. 5).
enum class BlockConditioning { adaln_zero, adaln, cross_attention, in_context };

BackboneKind backbone_kind(const std::string& name);  // std::invalid_argument when unknown
BlockConditioning block_conditioning(const std::string& name);
const std::string& name_of(BackboneKind kind);
const std::string& name_of(BlockConditioning conditioning);

struct BackboneConfig {
  BackboneKind backbone = BackboneKind::mmdit;
  BlockConditioning conditioning = BlockConditioning::adaln_zero;  // dit only
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
  // "mmdit", "dit (adaln)", ...: the backbone, with the block design where it has a choice.
  std::string name() const;

  // From a run config: the sizing rule for width and heads, the training patch grid for a
  // position table of size 0 (results::ModelConfig).
  static BackboneConfig from_run_config(const results::RunConfig& run_config);
  // Throws std::invalid_argument naming the field when the shape breaks results::model_shape_problem,
  // a design is given to a backbone other than dit, or mmdit3 has no pooled vector.
  void validate() const;
  nlohmann::json to_json() const;
};

}  // namespace rflab::core
