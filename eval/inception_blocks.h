// The building blocks of the FID Inception-v3 (pytorch-fid's port of TF's
// inception-2015-12-05): conv (no bias) + BatchNorm (eps 1e-3) + ReLU, and the mixed blocks
// A/B/C/D/E. Submodule names follow the pytorch-fid state_dict ("branch1x1.conv.weight", …) so a
// converted checkpoint loads by name. The FID variants differ from torchvision's only in the
// pooling branch: TF's average pool ignores padded zeros, and Mixed_7c pools by max.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace rflab::eval {

// conv(kernel kh x kw, stride, padding ph/pw, no bias) -> BatchNorm2d(eps 1e-3) -> ReLU.
struct InceptionConvOptions {
  int64_t in = 0, out = 0;
  int64_t kh = 1, kw = 1;
  int64_t stride = 1;
  int64_t ph = 0, pw = 0;
};

struct BasicConv2dImpl : torch::nn::Module {
  explicit BasicConv2dImpl(const InceptionConvOptions& o);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

// Mixed_5b/c/d: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avgpool 3x3 (pads not counted) -> 1x1.
// Output channels 64 + 64 + 96 + pool_features.
struct FidInceptionAImpl : torch::nn::Module {
  FidInceptionAImpl(int64_t in, int64_t pool_features);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch1x1{nullptr}, branch5x5_1{nullptr}, branch5x5_2{nullptr}, branch3x3dbl_1{nullptr},
      branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(FidInceptionA);

// Mixed_6a, the 35 -> 17 reduction: 3x3/2 | 1x1 -> 3x3 -> 3x3/2 | maxpool 3x3/2. Output 384 + 96 + in.
struct InceptionBImpl : torch::nn::Module {
  explicit InceptionBImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch3x3{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr};
};
TORCH_MODULE(InceptionB);

// Mixed_6b–e: factorised 7x7 branches of width c7; avgpool (pads not counted). Output 4 x 192.
struct FidInceptionCImpl : torch::nn::Module {
  FidInceptionCImpl(int64_t in, int64_t c7);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch1x1{nullptr}, branch7x7_1{nullptr}, branch7x7_2{nullptr}, branch7x7_3{nullptr},
      branch7x7dbl_1{nullptr}, branch7x7dbl_2{nullptr}, branch7x7dbl_3{nullptr}, branch7x7dbl_4{nullptr},
      branch7x7dbl_5{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(FidInceptionC);

// Mixed_7a, the 17 -> 8 reduction: 1x1 -> 3x3/2 | 1x1 -> 1x7 -> 7x1 -> 3x3/2 | maxpool 3x3/2.
// Output 320 + 192 + in.
struct InceptionDImpl : torch::nn::Module {
  explicit InceptionDImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch3x3_1{nullptr}, branch3x3_2{nullptr}, branch7x7x3_1{nullptr}, branch7x7x3_2{nullptr},
      branch7x7x3_3{nullptr}, branch7x7x3_4{nullptr};
};
TORCH_MODULE(InceptionD);

// Mixed_7b (pool = average, pads not counted) and Mixed_7c (pool = max, as in the TF graph the
// FID weights come from). Output 320 + 768 + 768 + 192 = 2048.
enum class InceptionEPool { AverageExcludingPad, Max };

struct FidInceptionEImpl : torch::nn::Module {
  FidInceptionEImpl(int64_t in, InceptionEPool pool);
  torch::Tensor forward(const torch::Tensor& x);
  InceptionEPool pool;
  BasicConv2d branch1x1{nullptr}, branch3x3_1{nullptr}, branch3x3_2a{nullptr}, branch3x3_2b{nullptr},
      branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3a{nullptr}, branch3x3dbl_3b{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(FidInceptionE);

}  // namespace rflab::eval
