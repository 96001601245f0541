#include "core/model/dit.h"

namespace rflab::core {

Modulation block_modulation(BlockConditioning c) {
  switch (c) {
    case BlockConditioning::adaln_zero: return Modulation::adaln_zero;
    case BlockConditioning::adaln: return Modulation::adaln;
    case BlockConditioning::cross_attention:
    case BlockConditioning::in_context: return Modulation::none;
  }
  return Modulation::adaln_zero;
}

torch::Tensor conditioning_sequence(const Embedded& e) {
  return e.pooled_emb.defined() ? torch::stack({e.t_emb, e.pooled_emb}, 1) : e.t_emb.unsqueeze(1);
}

DiTImpl::DiTImpl(const BackboneConfig& c) : BackboneImpl(c) {
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  const bool cross = c.conditioning == BlockConditioning::cross_attention;
  for (int64_t i = 0; i < c.depth; ++i)
    blocks_->push_back(DismantledBlock(c.hidden, c.heads, c.mlp_ratio, c.qk_norm, block_modulation(c.conditioning), cross));
  finish();
}

torch::Tensor DiTImpl::blocks(const Embedded& e) {
  const int64_t N = e.image.size(1);
  const auto design = config_.conditioning;
  torch::Tensor tokens;  // cross-attended by every block (cross_attention only)
  std::vector<torch::Tensor> sequence = {e.context, e.image};
  if (design == BlockConditioning::in_context) sequence.insert(sequence.begin(), conditioning_sequence(e));
  if (design == BlockConditioning::cross_attention) tokens = conditioning_sequence(e);
  auto x = torch::cat(sequence, 1);  // [B, (K) + M + N, H]
  for (auto& blk : *blocks_) x = blk->as<DismantledBlockImpl>()->forward(x, e.y, tokens);
  return x.narrow(1, x.size(1) - N, N);
}

}  // namespace rflab::core
