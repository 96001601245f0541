#include "core/model/mmdit_config.h"

#include <stdexcept>
#include <string>

namespace rflab::core {

MMDiTConfig MMDiTConfig::from_run_config(const nlohmann::json& rc) {
  const auto& m = rc.at("model");
  MMDiTConfig c;
  c.depth = m.at("depth").get<int64_t>();
  int64_t width = m.at("width").get<int64_t>();
  int64_t heads = m.at("heads").get<int64_t>();
  c.hidden = width > 0 ? width : 64 * c.depth;
  c.heads = heads > 0 ? heads : c.depth;
  c.patch_size = m.at("patch_size").get<int64_t>();
  c.in_channels = c.out_channels = m.at("in_channels").get<int64_t>();
  c.context_dim = m.at("context_dim").get<int64_t>();
  c.pooled_dim = m.at("pooled_dim").get<int64_t>();
  c.mlp_ratio = m.at("mlp_ratio").get<int64_t>();
  c.qk_norm = m.at("qk_norm").get<bool>();
  int64_t g = m.at("pos_embed_max_size").get<int64_t>();
  int64_t image = rc.at("data").at("image_size").get<int64_t>();
  c.pos_embed_max_size = g > 0 ? g : (image + c.patch_size - 1) / c.patch_size;
  c.validate();
  return c;
}

void MMDiTConfig::validate() const {
  auto fail = [](const std::string& field, const std::string& what) {
    throw std::invalid_argument("model." + field + ": " + what);
  };
  if (depth < 1) fail("depth", "expected >= 1");
  if (heads < 1 || hidden % heads != 0)
    fail("heads", "expected a divisor of the width " + std::to_string(hidden) + ", got " + std::to_string(heads));
  if (hidden % 4 != 0) fail("width", "expected a multiple of 4 (the 2-D sin-cos table), got " + std::to_string(hidden));
  if (patch_size < 1) fail("patch_size", "expected >= 1");
  if (pos_embed_max_size < 1) fail("pos_embed_max_size", "expected >= 1");
}

nlohmann::json MMDiTConfig::to_json() const {
  return {{"depth", depth},           {"hidden", hidden},         {"heads", heads},
          {"patch_size", patch_size}, {"in_channels", in_channels}, {"out_channels", out_channels},
          {"context_dim", context_dim}, {"pooled_dim", pooled_dim}, {"mlp_ratio", mlp_ratio},
          {"pos_embed_max_size", pos_embed_max_size}, {"qk_norm", qk_norm}};
}

}  // namespace rflab::core
