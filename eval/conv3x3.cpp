#include "eval/conv3x3.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>

#include "core/model/cpu_kernel.h"
#include "core/model/linear.h"
#include "core/model/mac_tally.h"
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
              float* out = dx + ((b * H + sy) * W + sx) * C;
              for (int64_t c = 0; c < C; ++c) out[c] += row[c];
            }
        }
  });
}

struct Conv3x3 : torch::autograd::Function<Conv3x3> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, torch::Tensor bias) {
    x = x.contiguous();
    const int64_t B = x.size(0), H = x.size(1), W = x.size(2), C = x.size(3), O = weight.size(0);
    const int64_t M = B * H * W, K = 9 * C;
    auto columns = torch::empty({M, K}, x.options());  // [B·H·W, 9·C]
    unfold_3x3(x.data_ptr<float>(), columns.data_ptr<float>(), B, H, W, C);
    const auto kernel = kernel_matrix(weight);  // [O, 9·C]
    auto y = bias.contiguous().expand({M, O}).contiguous();  // [B·H·W, O], rows start as the bias
    if (M > 0) core::sgemm_rows(false, true, M, O, K, 1.0f, columns.data_ptr<float>(), K, kernel.data_ptr<float>(), K,
                                1.0f, y.data_ptr<float>(), O);
    ctx->save_for_backward({columns, kernel});
    ctx->saved_data["shape"] = x.sizes().vec();
    return y.view({B, H, W, O});
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &columns = saved[0], &kernel = saved[1];
    const auto shape = ctx->saved_data["shape"].toIntVector();
    const int64_t B = shape[0], H = shape[1], W = shape[2], C = shape[3], O = kernel.size(0);
    const int64_t M = B * H * W, K = 9 * C;
    const auto g = grads[0].reshape({M, O}).contiguous();  // [B·H·W, O]
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0)) {
      auto d_columns = torch::empty({M, K}, g.options());
      if (M > 0) core::sgemm_rows(false, false, M, K, O, 1.0f, g.data_ptr<float>(), O, kernel.data_ptr<float>(), K, 0.0f,
                                  d_columns.data_ptr<float>(), K);
      dx = torch::empty({B, H, W, C}, g.options());
      fold_3x3(d_columns.data_ptr<float>(), dx.data_ptr<float>(), B, H, W, C);
    }
    if (ctx->needs_input_grad(1)) {
      auto dk = torch::empty({O, K}, g.options());  // [O, 9·C]
      if (M > 0) core::sgemm_rows(true, false, O, K, M, 1.0f, g.data_ptr<float>(), O, columns.data_ptr<float>(), K, 0.0f,
                                  dk.data_ptr<float>(), K);
      dw = dk.view({O, 3, 3, C}).permute({0, 3, 1, 2}).contiguous();  // back to [O, C, 3, 3]
    }
    if (ctx->needs_input_grad(2)) db = g.sum(0);
    return {dx, dw, db};
  }
};

}  // namespace

torch::Tensor conv3x3_composite(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const int64_t H = x.size(1), W = x.size(2);
  const auto padded = torch::constant_pad_nd(x, {0, 0, 1, 1, 1, 1});  // [B, H+2, W+2, C]
  std::vector<torch::Tensor> taps;                                   // tap (dy, dx) at 3·dy + dx, [B, H, W, C]
  for (int64_t dy = 0; dy < 3; ++dy)
    for (int64_t dx = 0; dx < 3; ++dx) taps.push_back(padded.narrow(1, dy, H).narrow(2, dx, W));
  return core::linear_rows_aten(kernel_matrix(weight), bias, torch::cat(taps, 3));  // [B, H, W, O]
}

torch::Tensor conv3x3_channels_last(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  core::MacTally::add(x.numel() / x.size(3) * weight.numel());
  if (!bias.defined() || !core::cpu_float32({&x, &weight, &bias}) || !core::has_sgemm())
    return conv3x3_composite(x, weight, bias);
  return Conv3x3::apply(x, weight, bias);
}

}  // namespace rflab::eval
