#include "eval/inception_blocks.h"

namespace rflab::eval {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

InceptionConvOptions square(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t pad = 0) {
  return {in, out, k, k, stride, pad, pad};
}

// The factorised kernels: 1xk pads only the width, kx1 only the height, so the size is kept.
InceptionConvOptions row(int64_t in, int64_t out, int64_t k) { return {in, out, 1, k, 1, 0, k / 2}; }
InceptionConvOptions column(int64_t in, int64_t out, int64_t k) { return {in, out, k, 1, 1, k / 2, 0}; }

// TF's SAME average pool divides by the number of real pixels under the window, not 9.
torch::Tensor avg_pool_excluding_pad(const torch::Tensor& x) {
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
}

torch::Tensor max_pool_3x3_stride2(const torch::Tensor& x) {
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
}

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(const InceptionConvOptions& o) {
  conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(o.in, o.out, {o.kh, o.kw})
                                                .stride(o.stride)
                                                .padding({o.ph, o.pw})
                                                .bias(false)));
  bn = register_module("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(o.out).eps(1e-3)));
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) { return torch::relu(bn->forward(conv->forward(x))); }

FidInceptionAImpl::FidInceptionAImpl(int64_t in, int64_t pool_features) {
  branch1x1 = register_module("branch1x1", BasicConv2d(square(in, 64, 1)));
  branch5x5_1 = register_module("branch5x5_1", BasicConv2d(square(in, 48, 1)));
  branch5x5_2 = register_module("branch5x5_2", BasicConv2d(square(48, 64, 5, 1, 2)));
  branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(square(in, 64, 1)));
  branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(square(64, 96, 3, 1, 1)));
  branch3x3dbl_3 = register_module("branch3x3dbl_3", BasicConv2d(square(96, 96, 3, 1, 1)));
  branch_pool = register_module("branch_pool", BasicConv2d(square(in, pool_features, 1)));
}

torch::Tensor FidInceptionAImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch1x1(x), branch5x5_2(branch5x5_1(x)), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                     branch_pool(avg_pool_excluding_pad(x))},
                    1);
}

InceptionBImpl::InceptionBImpl(int64_t in) {
  branch3x3 = register_module("branch3x3", BasicConv2d(square(in, 384, 3, 2)));
  branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(square(in, 64, 1)));
  branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(square(64, 96, 3, 1, 1)));
  branch3x3dbl_3 = register_module("branch3x3dbl_3", BasicConv2d(square(96, 96, 3, 2)));
}

torch::Tensor InceptionBImpl::forward(const torch::Tensor& x) {
  return torch::cat(
      {branch3x3(x), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))), max_pool_3x3_stride2(x)}, 1);
}

FidInceptionCImpl::FidInceptionCImpl(int64_t in, int64_t c7) {
  branch1x1 = register_module("branch1x1", BasicConv2d(square(in, 192, 1)));
  branch7x7_1 = register_module("branch7x7_1", BasicConv2d(square(in, c7, 1)));
  branch7x7_2 = register_module("branch7x7_2", BasicConv2d(row(c7, c7, 7)));
  branch7x7_3 = register_module("branch7x7_3", BasicConv2d(column(c7, 192, 7)));
  branch7x7dbl_1 = register_module("branch7x7dbl_1", BasicConv2d(square(in, c7, 1)));
  branch7x7dbl_2 = register_module("branch7x7dbl_2", BasicConv2d(column(c7, c7, 7)));
  branch7x7dbl_3 = register_module("branch7x7dbl_3", BasicConv2d(row(c7, c7, 7)));
  branch7x7dbl_4 = register_module("branch7x7dbl_4", BasicConv2d(column(c7, c7, 7)));
  branch7x7dbl_5 = register_module("branch7x7dbl_5", BasicConv2d(row(c7, 192, 7)));
  branch_pool = register_module("branch_pool", BasicConv2d(square(in, 192, 1)));
}

torch::Tensor FidInceptionCImpl::forward(const torch::Tensor& x) {
  auto b7 = branch7x7_3(branch7x7_2(branch7x7_1(x)));
  auto b7dbl = branch7x7dbl_5(branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x)))));
  return torch::cat({branch1x1(x), b7, b7dbl, branch_pool(avg_pool_excluding_pad(x))}, 1);
}

InceptionDImpl::InceptionDImpl(int64_t in) {
  branch3x3_1 = register_module("branch3x3_1", BasicConv2d(square(in, 192, 1)));
  branch3x3_2 = register_module("branch3x3_2", BasicConv2d(square(192, 320, 3, 2)));
  branch7x7x3_1 = register_module("branch7x7x3_1", BasicConv2d(square(in, 192, 1)));
  branch7x7x3_2 = register_module("branch7x7x3_2", BasicConv2d(row(192, 192, 7)));
  branch7x7x3_3 = register_module("branch7x7x3_3", BasicConv2d(column(192, 192, 7)));
  branch7x7x3_4 = register_module("branch7x7x3_4", BasicConv2d(square(192, 192, 3, 2)));
}

torch::Tensor InceptionDImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch3x3_2(branch3x3_1(x)), branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))),
                     max_pool_3x3_stride2(x)},
                    1);
}

FidInceptionEImpl::FidInceptionEImpl(int64_t in, InceptionEPool pool_kind) : pool(pool_kind) {
  branch1x1 = register_module("branch1x1", BasicConv2d(square(in, 320, 1)));
  branch3x3_1 = register_module("branch3x3_1", BasicConv2d(square(in, 384, 1)));
  branch3x3_2a = register_module("branch3x3_2a", BasicConv2d(row(384, 384, 3)));
  branch3x3_2b = register_module("branch3x3_2b", BasicConv2d(column(384, 384, 3)));
  branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(square(in, 448, 1)));
  branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(square(448, 384, 3, 1, 1)));
  branch3x3dbl_3a = register_module("branch3x3dbl_3a", BasicConv2d(row(384, 384, 3)));
  branch3x3dbl_3b = register_module("branch3x3dbl_3b", BasicConv2d(column(384, 384, 3)));
  branch_pool = register_module("branch_pool", BasicConv2d(square(in, 192, 1)));
}

torch::Tensor FidInceptionEImpl::forward(const torch::Tensor& x) {
  auto b3 = branch3x3_1(x);
  auto b3dbl = branch3x3dbl_2(branch3x3dbl_1(x));
  auto pooled = pool == InceptionEPool::Max ? F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1).padding(1))
                                            : avg_pool_excluding_pad(x);
  return torch::cat({branch1x1(x), branch3x3_2a(b3), branch3x3_2b(b3), branch3x3dbl_3a(b3dbl),
                     branch3x3dbl_3b(b3dbl), branch_pool(pooled)},
                    1);
}

}  // namespace rflab::eval
