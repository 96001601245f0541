#include "eval/conv3x3.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>

#include "core/model/cpu_kernel.h"
#include "core/model/linear.h"
#include "core/util/blas.h"

namespace rflab::eval {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The kernel [O, C, 3, 3] as the [O, 9·C] matrix of the columns' (dy, dx, c) order.
torch::Tensor kernel_matrix(const torch::Tensor& weight) {
  return weight.permute({0, 2, 3, 1}).reshape({weight.size(0), 9 * weight.size(1)}).contiguous();
}

// columns [B·H·W, 9·C] from the map x [B, H, W, C] (contiguous), zeros outside the map.
void unfold_3x3(const float* x, float* columns, int64_t B, int64_t H, int64_t W, int64_t C) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x0 = 0; x0 < W; ++x0) {
          float* row = columns + ((b * H + y) * W + x0) * 9 * C;
          for (int64_t dy = 0; dy < 3; ++dy)
            for (int64_t dx = 0; dx < 3; ++dx, row += C) {
              const int64_t sy = y + dy - 1, sx = x0 + dx - 1;
              if (sy < 0 || sy >= H || sx < 0 || sx >= W)
                std::fill(row, row + C, 0.0f);
              else
                std::memcpy(row, x + ((b * H + sy) * W + sx) * C, C * sizeof(float));
            }
        }
  });
}

// The adjoint of unfold_3x3: dx [B, H, W, C] = Σ over the rows and taps that read each pixel.
// Every image's pixels come from its own rows only, added in row and tap order.
void fold_3x3(const float* columns, float* dx, int64_t B, int64_t H, int64_t W, int64_t C) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    std::fill(dx + b0 * H * W * C, dx + b1 * H * W * C, 0.0f);
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x0 = 0; x0 < W; ++x0) {
          const float* row = columns + ((b * H + y) * W + x0) * 9 * C;
          for (int64_t dy = 0; dy < 3; ++dy)
            for (int64_t dx_ = 0; dx_ < 3; ++dx_, row += C) {
              const int64_t sy = y + dy - 1, sx = x0 + dx_ - 1;
              if (sy < 0 || sy >= H || sx < 0 || sx >= W) continue;
              float* __restrict out = dx + ((b * H + sy) * W + sx) * C;
              const float* __restrict in = row;
              for (int64_t c = 0; c < C; ++c) out[c] += in[c];
            }
        }
  });
}

// x [B, H, W, C] -> columns [B, H, W, 9·C]; backward folds the columns' gradient onto the map.
struct Unfold3x3 : torch::autograd::Function<Unfold3x3> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x) {
    x = x.contiguous();
    const int64_t B = x.size(0), H = x.size(1), W = x.size(2), C = x.size(3);
    auto columns = torch::empty({B, H, W, 9 * C}, x.options());
    unfold_3x3(x.data_ptr<float>(), columns.data_ptr<float>(), B, H, W, C);
    ctx->saved_data["shape"] = x.sizes().vec();
    return columns;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto shape = ctx->saved_data["shape"].toIntVector();
    const auto g = grads[0].contiguous();  // [B, H, W, 9·C]
    auto dx = torch::empty(shape, g.options());
    fold_3x3(g.data_ptr<float>(), dx.data_ptr<float>(), shape[0], shape[1], shape[2], shape[3]);
    return {dx};
  }
};

// The columns through ATen's autograd operations: slices of the padded map, concatenated.
torch::Tensor unfold_3x3_composite(const torch::Tensor& x) {
  const int64_t H = x.size(1), W = x.size(2);
  const auto padded = torch::constant_pad_nd(x, {0, 0, 1, 1, 1, 1});  // [B, H+2, W+2, C]
  std::vector<torch::Tensor> taps;                                   // tap (dy, dx) at 3·dy + dx, [B, H, W, C]
  for (int64_t dy = 0; dy < 3; ++dy)
    for (int64_t dx = 0; dx < 3; ++dx) taps.push_back(padded.narrow(1, dy, H).narrow(2, dx, W));
  return torch::cat(taps, 3);
}

}  // namespace

torch::Tensor conv3x3_composite(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  return core::linear_rows_aten(kernel_matrix(weight), bias, unfold_3x3_composite(x));  // [B, H, W, O]
}

torch::Tensor conv3x3_channels_last(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const bool kernel = core::cpu_float32({&x, &weight}) && core::has_sgemm();
  // core::linear_rows: one sgemm per pass, its backward the kernel's and the columns' gradients.
  return core::linear_rows(kernel_matrix(weight), bias, kernel ? Unfold3x3::apply(x) : unfold_3x3_composite(x));
}

}  // namespace rflab::eval
