#include "core/model/mmdit_config.h"

#include <stdexcept>
#include <string>

namespace rflab::core {

MMDiTConfig MMDiTConfig::from_run_config(const results::RunConfig& rc) {
  const auto& m = rc.model;
  MMDiTConfig c;
  c.depth = m.depth;
  c.hidden = m.hidden();
  c.heads = m.num_heads();
  c.patch_size = m.patch_size;
  c.in_channels = c.out_channels = m.in_channels;
  c.context_dim = m.context_dim;
  c.pooled_dim = m.pooled_dim;
  c.mlp_ratio = m.mlp_ratio;
  c.qk_norm = m.qk_norm;
  c.pos_embed_max_size = m.position_grid(rc.data.image_size);
  c.validate();
  return c;
}

void MMDiTConfig::validate() const {
  if (auto p = results::model_shape_problem(depth, hidden, heads, patch_size, pos_embed_max_size))
    throw std::invalid_argument("model." + p->field + ": expected " + p->expected + ", got " + p->got);
}

nlohmann::json MMDiTConfig::to_json() const {
  return {{"depth", depth},           {"hidden", hidden},         {"heads", heads},
          {"patch_size", patch_size}, {"in_channels", in_channels}, {"out_channels", out_channels},
          {"context_dim", context_dim}, {"pooled_dim", pooled_dim}, {"mlp_ratio", mlp_ratio},
          {"pos_embed_max_size", pos_embed_max_size}, {"qk_norm", qk_norm}};
}

}  // namespace rflab::core
