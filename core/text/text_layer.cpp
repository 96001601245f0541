#include "core/text/text_layer.h"

#include "core/model/gelu.h"
#include "core/model/joint_attention.h"
#include "core/model/linear.h"

namespace rflab::core {

namespace nn = torch::nn;

TextLayerImpl::TextLayerImpl(int64_t width, int64_t heads_) : heads(heads_) {
  ln1 = register_module("ln1", nn::LayerNorm(nn::LayerNormOptions({width})));
  qkv = register_module("qkv", nn::Linear(width, 3 * width));
  proj = register_module("proj", nn::Linear(width, width));
  ln2 = register_module("ln2", nn::LayerNorm(nn::LayerNormOptions({width})));
  fc1 = register_module("fc1", nn::Linear(width, 4 * width));
  fc2 = register_module("fc2", nn::Linear(4 * width, width));
}

torch::Tensor TextLayerImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0), L = x.size(1), W = x.size(2);
  auto parts = linear_rows(qkv, ln1->forward(x)).view({B, L, 3, heads, W / heads}).permute({2, 0, 3, 1, 4}).unbind(0);
  auto h = x + linear_rows(proj, joint_attention(parts[0], parts[1], parts[2]));
  return h + linear_rows(fc2, gelu_tanh(linear_rows(fc1, ln2->forward(h))));
}

Conditioning drop_conditioning(const Conditioning& c, const torch::Tensor& drop) {
  auto keep = (~drop).to(torch::kFloat32);
  Conditioning out;
  out.context = c.context * keep.view({-1, 1, 1});
  if (c.pooled.defined()) out.pooled = c.pooled * keep.view({-1, 1});
  return out;
}

}  // namespace rflab::core
