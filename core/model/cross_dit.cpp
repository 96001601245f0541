#include "core/model/cross_dit.h"

namespace rflab::core {

CrossDiTImpl::CrossDiTImpl(const BackboneConfig& c) : BackboneImpl(c) {
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.depth; ++i)
    blocks_->push_back(DismantledBlock(c.hidden, c.heads, c.mlp_ratio, c.qk_norm, Modulation::adaln_zero,
                                       /*cross_attention=*/true));
  finish();
}

torch::Tensor CrossDiTImpl::blocks(const Embedded& e) {
  auto x = e.image;
  for (auto& blk : *blocks_) x = blk->as<DismantledBlockImpl>()->forward(x, e.y, e.context);
  return x;
}

}  // namespace rflab::core
