#include "core/model/linear.h"

#include "core/model/mac_tally.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "core/model/cpu_kernel.h"
#include "core/util/blas.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per task when the output's rows are set to the bias.
constexpr int64_t kRowGrain = 64;

struct FusedLinear : torch::autograd::Function<FusedLinear> {
  // x [M, K] (rows), weight [N, K], bias [N] -> [M, N].
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, torch::Tensor bias) {
    x = x.contiguous();
    weight = weight.contiguous();
    const int64_t M = x.size(0), K = x.size(1), N = weight.size(0);
    auto y = torch::empty({M, N}, x.options());
    const float* b = bias.contiguous().data_ptr<float>();
    float* Y = y.data_ptr<float>();
    at::parallel_for(0, M, kRowGrain, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) std::copy(b, b + N, Y + r * N);
    });
    if (M > 0 && K > 0) sgemm_rows(false, true, M, N, K, 1.0f, x.data_ptr<float>(), K, weight.data_ptr<float>(), K, 1.0f, Y, N);
    ctx->save_for_backward({x, weight});
    return y;
  }

  // dx = g·W, dW = gᵀ·x, db = Σ_rows g — each only where its input needs it.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &weight = saved[1];
    auto g = grads[0].contiguous();
    const int64_t M = x.size(0), K = x.size(1), N = weight.size(0);
    const float* G = g.data_ptr<float>();
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0)) {
      dx = torch::empty_like(x);
      if (N > 0) sgemm_rows(false, false, M, K, N, 1.0f, G, N, weight.data_ptr<float>(), K, 0.0f, dx.data_ptr<float>(), K);
      else dx.zero_();
    }
    if (ctx->needs_input_grad(1)) {
      dw = torch::empty_like(weight);
      if (M > 0) sgemm_rows(true, false, N, K, M, 1.0f, G, N, x.data_ptr<float>(), K, 0.0f, dw.data_ptr<float>(), K);
      else dw.zero_();
    }
    if (ctx->needs_input_grad(2)) db = g.sum(0);
    return {dx, dw, db};
  }
};

}  // namespace

torch::Tensor linear_rows_aten(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x) {
  auto sizes = x.sizes().vec();
  auto rows = x.reshape({-1, sizes.back()});
  auto y = bias.defined() ? torch::addmm(bias, rows, weight.t()) : torch::mm(rows, weight.t());
  sizes.back() = y.size(1);
  return y.view(sizes);
}

torch::Tensor linear_rows_aten(const torch::nn::Linear& lin, const torch::Tensor& x) {
  return linear_rows_aten(lin->weight, lin->bias, x);
}

torch::Tensor linear_rows(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x) {
  MacTally::add(x.numel() / x.size(-1) * weight.numel());
  if (!bias.defined() || !cpu_float32({&x, &weight, &bias}) || !has_sgemm()) return linear_rows_aten(weight, bias, x);
  auto sizes = x.sizes().vec();
  auto y = FusedLinear::apply(x.reshape({-1, sizes.back()}), weight, bias);
  sizes.back() = y.size(1);
  return y.view(sizes);
}

torch::Tensor linear_rows(const torch::nn::Linear& lin, const torch::Tensor& x) {
  return linear_rows(lin->weight, lin->bias, x);
}

}  // namespace rflab::core
