#include "core/model/rms_norm.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "core/model/cpu_kernel.h"
#include "core/model/vectorised.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per chunk of the weight gradient: the partial sums are per fixed chunk and added in
// chunk order, so the result does not depend on the number of threads.
constexpr int64_t kChunkRows = 256;

struct FusedRMSNorm : torch::autograd::Function<FusedRMSNorm> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, double eps) {
    x = x.contiguous();
    const int64_t D = x.size(-1), rows = x.numel() / D;
    auto y = torch::empty_like(x);
    auto rstd = torch::empty({rows}, x.options());
    const float* X = x.data_ptr<float>();
    const float* W = weight.contiguous().data_ptr<float>();
    float *Y = y.data_ptr<float>(), *R = rstd.data_ptr<float>();
    at::parallel_for(0, rows, 64, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* xr = X + r * D;
        const float ss = sum_lanes(D, [xr](int64_t i) { return xr[i] * xr[i]; });
        const float inv = 1.0f / std::sqrt(ss / static_cast<float>(D) + static_cast<float>(eps));
        R[r] = inv;
        float* yr = Y + r * D;
        for (int64_t i = 0; i < D; ++i) yr[i] = xr[i] * inv * W[i];
      }
    });
    ctx->save_for_backward({x, weight, rstd});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &weight = saved[1], &rstd = saved[2];
    auto g = grads[0].contiguous();
    const int64_t D = x.size(-1), rows = x.numel() / D;
    const int64_t chunks = (rows + kChunkRows - 1) / kChunkRows;
    auto dx = torch::empty_like(x);
    auto partial = torch::empty({chunks, D}, x.options());
    const float *X = x.data_ptr<float>(), *G = g.data_ptr<float>(), *R = rstd.data_ptr<float>();
    auto w = weight.contiguous();
    const float* W = w.data_ptr<float>();
    float *dX = dx.data_ptr<float>(), *dW = partial.data_ptr<float>();
    // y = x·r·w with r = (mean(x²) + eps)^(-1/2):
    // dx = r·(w⊙g) − x·r³·mean(w⊙g⊙x);  dw = Σ_rows g⊙x·r.
    at::parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        float* pw = dW + c * D;
        for (int64_t i = 0; i < D; ++i) pw[i] = 0;
        const int64_t end = std::min(rows, (c + 1) * kChunkRows);
        for (int64_t r = c * kChunkRows; r < end; ++r) {
          const float *xr = X + r * D, *gr = G + r * D;
          const float inv = R[r];
          const float dot = sum_lanes(D, [=](int64_t i) { return W[i] * gr[i] * xr[i]; });
          const float k = inv * inv * inv * dot / static_cast<float>(D);
          float* dxr = dX + r * D;
          for (int64_t i = 0; i < D; ++i) {
            dxr[i] = inv * W[i] * gr[i] - xr[i] * k;
            pw[i] += gr[i] * xr[i] * inv;
          }
        }
      }
    });
    return {dx, partial.sum(0), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor rms_norm_aten(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  auto xf = x.to(torch::kFloat32);
  auto y = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return (y * weight).to(x.scalar_type());
}

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  if (!cpu_float32({&x, &weight}) || x.numel() == 0) return rms_norm_aten(x, weight, eps);
  return FusedRMSNorm::apply(x, weight, eps);
}

}  // namespace rflab::core
