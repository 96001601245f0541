#include "eval/conv_tower.h"

#include <stdexcept>

#include "eval/conv3x3.h"

namespace rflab::eval {

namespace nn = torch::nn;

ConvTowerImpl::ConvTowerImpl(int64_t in_channels, int64_t image_size, const std::vector<int64_t>& channels,
                             int64_t convs_per_stage) {
  if (channels.empty() || convs_per_stage < 1)
    throw std::invalid_argument("ConvTower: expected at least one stage and one conv per stage");
  const int64_t side = image_size >> channels.size();
  if (side < 1 || (side << channels.size()) != image_size)
    throw std::invalid_argument("ConvTower: image size " + std::to_string(image_size) + " is not divisible by 2^" +
                                std::to_string(channels.size()) + " (one halving per stage)");
  body = register_module("body", nn::Sequential());
  int64_t c_in = in_channels;
  for (int64_t c : channels) {
    for (int64_t i = 0; i < convs_per_stage; ++i) {
      body->push_back(nn::Conv2d(nn::Conv2dOptions(c_in, c, 3).padding(1)));
      body->push_back(nn::ReLU());
      c_in = c;
    }
    body->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  }
  out_dim = c_in * side * side;
  ln = register_module("ln", nn::LayerNorm(nn::LayerNormOptions({out_dim})));
}

torch::Tensor ConvTowerImpl::forward(const torch::Tensor& images) {
  if (!images.device().is_cpu()) return forward_aten(images);
  auto x = images.permute({0, 2, 3, 1});  // [B, S, S, C], channels-last from here on
  for (const auto& layer : *body) {
    if (const auto* conv = layer.ptr()->as<nn::Conv2d>())
      x = conv3x3_channels_last(x, conv->weight, conv->bias);
    else if (layer.ptr()->as<nn::ReLU>())
      x = torch::relu(x);
    else  // ATen's channels-last pooling on the NCHW view of the same memory
      x = torch::max_pool2d(x.permute({0, 3, 1, 2}), 2).permute({0, 2, 3, 1});
  }
  return ln->forward(x.permute({0, 3, 1, 2}).flatten(1));  // flattened channel-major, as forward_aten
}

torch::Tensor ConvTowerImpl::forward_aten(const torch::Tensor& images) {
  return ln->forward(body->forward(images).flatten(1));
}

}  // namespace rflab::eval
