#include "core/model/shape/backbone_config.h"

#include <stdexcept>
#include <string>

namespace rflab::core {

namespace {
// Position in the run config's list of names (results/run_config.h): the one spelling.
size_t index_in(const std::vector<std::string>& names, const std::string& name, const char* what) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  throw std::invalid_argument(std::string("unknown ") + what + " '" + name + "'");
}
}  // namespace

BackboneKind backbone_kind(const std::string& name) {
  return static_cast<BackboneKind>(index_in(results::kBackboneNames, name, "model.backbone"));
}
BlockConditioning block_conditioning(const std::string& name) {
  return static_cast<BlockConditioning>(index_in(results::kConditioningNames, name, "model.conditioning"));
}
const std::string& name_of(BackboneKind kind) { return results::kBackboneNames.at(static_cast<size_t>(kind)); }
const std::string& name_of(BlockConditioning c) { return results::kConditioningNames.at(static_cast<size_t>(c)); }

std::string BackboneConfig::name() const { return results::architecture_name(name_of(backbone), name_of(conditioning)); }

BackboneConfig BackboneConfig::from_run_config(const results::RunConfig& rc) {
  const auto& m = rc.model;
  BackboneConfig c;
  c.backbone = backbone_kind(m.backbone);
  c.conditioning = block_conditioning(m.conditioning);
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

void BackboneConfig::validate() const {
  if (auto p = results::model_shape_problem(depth, hidden, heads, patch_size, pos_embed_max_size))
    throw std::invalid_argument("model." + p->field + ": expected " + p->expected + ", got " + p->got);
  if (conditioning != BlockConditioning::adaln_zero && backbone != BackboneKind::dit)
    throw std::invalid_argument("model.conditioning: expected adaln_zero for backbone " + name_of(backbone) +
                                ", got " + name_of(conditioning));
  if (backbone == BackboneKind::mmdit3 && pooled_dim == 0)
    throw std::invalid_argument("model.pooled_dim: expected a width > 0 for mmdit3, got 0");
}

nlohmann::json BackboneConfig::to_json() const {
  return {{"backbone", name_of(backbone)},   {"conditioning", name_of(conditioning)},
          {"depth", depth},                  {"hidden", hidden},
          {"heads", heads},                  {"patch_size", patch_size},
          {"in_channels", in_channels},      {"out_channels", out_channels},
          {"context_dim", context_dim},      {"pooled_dim", pooled_dim},
          {"mlp_ratio", mlp_ratio},          {"pos_embed_max_size", pos_embed_max_size},
          {"qk_norm", qk_norm}};
}

}  // namespace rflab::core
