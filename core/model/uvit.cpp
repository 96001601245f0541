#include "core/model/uvit.h"

namespace rflab::core {

UViTImpl::UViTImpl(const BackboneConfig& c) : BackboneImpl(c) {
  auto block = [&] { return DismantledBlock(c.hidden, c.heads, c.mlp_ratio, c.qk_norm, Modulation::adaln_zero); };
  in_blocks = register_module("in_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.depth / 2; ++i) in_blocks->push_back(block());
  if (c.depth % 2 == 1) mid_block = register_module("mid_block", block());
  out_blocks = register_module("out_blocks", torch::nn::ModuleList());
  skip_linears = register_module("skip_linears", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.depth / 2; ++i) {
    out_blocks->push_back(block());
    skip_linears->push_back(torch::nn::Linear(2 * c.hidden, c.hidden));
  }
  finish();
}

torch::Tensor UViTImpl::blocks(const Embedded& e) {
  const int64_t N = e.image.size(1);
  auto x = torch::cat({e.context, e.image}, 1);  // [B, M + N, H]
  std::vector<torch::Tensor> skips;
  for (auto& blk : *in_blocks) skips.push_back(x = blk->as<DismantledBlockImpl>()->forward(x, e.y));
  if (mid_block) x = mid_block->forward(x, e.y);
  for (size_t i = 0; i < out_blocks->size(); ++i) {
    auto merged = torch::cat({x, skips.back()}, 2);  // [B, L, 2H]
    skips.pop_back();
    x = linear_rows(torch::nn::Linear(std::dynamic_pointer_cast<torch::nn::LinearImpl>(skip_linears->ptr(i))), merged);
    x = out_blocks[i]->as<DismantledBlockImpl>()->forward(x, e.y);
  }
  return x.narrow(1, x.size(1) - N, N);
}

}  // namespace rflab::core
