#include "core/model/mmdit.h"

namespace rflab::core {

MMDiTImpl::MMDiTImpl(const BackboneConfig& c) : BackboneImpl(c) {
  const bool three = c.backbone == BackboneKind::mmdit3;
  if (three) pooled_token_embedder = register_module("pooled_token_embedder", torch::nn::Linear(c.pooled_dim, c.hidden));
  joint_blocks = register_module("joint_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.depth; ++i)
    joint_blocks->push_back(JointBlock(c.hidden, c.heads, c.mlp_ratio, c.qk_norm, /*last=*/i == c.depth - 1, three));
  finish();
}

torch::Tensor MMDiTImpl::blocks(const Embedded& e) {
  JointBlockImpl::Streams s{e.context, {}, e.image};
  if (pooled_token_embedder) s.pooled = linear_rows(pooled_token_embedder, e.pooled.unsqueeze(1));  // [B, 1, H]
  for (auto& blk : *joint_blocks) s = blk->as<JointBlockImpl>()->forward(s, e.y);
  return s.image;
}

}  // namespace rflab::core
