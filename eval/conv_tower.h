// The small CNN image tower shared by the mini-CLIP image encoder and the classifier: per
// stage `convs_per_stage` 3x3 convolutions with ReLU, then 2x2 max pooling; finally the
// feature map flattened (not averaged: where a part sits tells a sandal from a sneaker) and a
// LayerNorm, giving [B, channels.back() * (image_size / 2^stages)^2].
//
// forward runs the map channels-last, each convolution as one product (eval/conv3x3.h), which
// may run on two threads at once as training in parts does (core/util/shards.h); forward_aten
// is the same network through ATen's Conv2d layers: the reference forward is tested against,
// and the path off the CPU.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace rflab::eval {

struct ConvTowerImpl : torch::nn::Module {
  ConvTowerImpl(int64_t in_channels, int64_t image_size, const std::vector<int64_t>& channels, int64_t convs_per_stage);
  torch::Tensor forward(const torch::Tensor& images);       // [B,C,S,S] -> [B, out_dim]
  torch::Tensor forward_aten(const torch::Tensor& images);  // the same through ATen's layers
  int64_t out_dim = 0;
  // Conv2d (3x3, padding 1), ReLU, ..., MaxPool2d(2) per stage; the layers' names are those of
  // the stored checkpoints (body.0.weight, ...).
  torch::nn::Sequential body{nullptr};
  torch::nn::LayerNorm ln{nullptr};
};
TORCH_MODULE(ConvTower);

}  // namespace rflab::eval
