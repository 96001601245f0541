// The Inception-v3 of FID (pytorch-fid / TTUR, weights "pt_inception-2015-12-05"): 2048-d pool3
// features of images in rflab's [-1, 1] range, with weights read from a safetensors file the user
// converts from pytorch-fid's state_dict (same tensor names). No weights ship with rflab.
//
// Input convention. pytorch-fid takes images x in [0, 1], resizes them bilinearly to 299x299
// (align_corners=false) and then feeds 2x - 1 to the network. Bilinear weights sum to one, so
// resizing commutes with that affine map: resize(2x - 1) = 2 resize(x) - 1 up to float rounding.
// rflab images are already y = 2x - 1, so they are resized and fed as they are, with no further
// scaling (torchvision's transform_input is off in the FID network).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "eval/inception_blocks.h"

namespace rflab::eval {

constexpr int64_t kInceptionInputSize = 299;
constexpr int64_t kInceptionFeatureDim = 2048;
constexpr int64_t kInceptionClasses = 1008;  // TF's 2015 ImageNet head: 1000 classes + 8 unused

// images [N, C, H, W], C = 1 or 3, values in [-1, 1] -> [N, 3, 299, 299] float32: bilinear resize
// (align_corners=false, skipped at 299x299) and a gray channel repeated three times.
torch::Tensor fid_inception_input(const torch::Tensor& images);

struct InceptionV3FidImpl : torch::nn::Module {
  InceptionV3FidImpl();
  // [N, 2048] float32 on the CPU: Mixed_7c averaged over space (non-negative, after ReLU). Runs in
  // batches of `batch` images on the device of the weights, without gradients.
  torch::Tensor features(const torch::Tensor& images, int64_t batch = 16);
  // The network is only ever an evaluator: BatchNorm always uses the stored running statistics.
  void train(bool on = true) override;

  BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr}, Conv2d_3b_1x1{nullptr},
      Conv2d_4a_3x3{nullptr};
  FidInceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
  InceptionB Mixed_6a{nullptr};
  FidInceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr}, Mixed_6e{nullptr};
  InceptionD Mixed_7a{nullptr};
  FidInceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
  torch::nn::Linear fc{nullptr};  // unused by features(); present so a full checkpoint loads
};
TORCH_MODULE(InceptionV3Fid);

struct LoadedInception {
  InceptionV3Fid model{nullptr};
  std::string path;
  std::string sha256;  // of the whole file: the evaluator hash stored with each FID figure
};

// Every parameter and BatchNorm running statistic must be present with its exact shape, as F32,
// F16 or BF16 (converted to float32), and finite; any other tensor name is refused, except
// "<module>.bn.num_batches_tracked" (a training counter PyTorch writes; eval mode ignores it).
// Violations are UserErrors naming the file and the tensor.
LoadedInception load_inception_v3(const std::string& path);

// Writes every parameter and running statistic as F32 (no num_batches_tracked), atomically.
void save_inception_v3(InceptionV3Fid& model, const std::string& path);

}  // namespace rflab::eval
