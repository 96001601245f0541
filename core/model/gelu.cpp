#include "core/model/gelu.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "core/model/cpu_kernel.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr float kAlpha = 0.7978845608028654f;  // √(2/π)
constexpr float kBeta = 0.044715f;

// dy/dx = ½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), with t = (2y − x)/x. y is ∝ x, so t
// keeps float accuracy for every x down to where y underflows; there (and at x = 0) t = 0, its
// limit. Branch-free so that it vectorises; one clone per instruction set, picked at load time.
__attribute__((target_clones("avx2", "default"), optimize("O3")))
void gelu_tanh_backward(const float* __restrict x, const float* __restrict y, const float* __restrict g,
                        float* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float xi = x[i], x2 = xi * xi;
    const float tiny = std::fabs(xi) < 1e-30f ? 1.0f : 0.0f;
    const float t = (2.0f * y[i] - xi) * (1.0f - tiny) / (xi + tiny);
    const float d = 0.5f * (1.0f + t) + 0.5f * xi * (1.0f - t * t) * kAlpha * (1.0f + 3.0f * kBeta * x2);
    dx[i] = g[i] * d;
  }
}

struct FusedGelu : torch::autograd::Function<FusedGelu> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x) {
    auto xc = x.contiguous();
    auto y = torch::gelu(xc, "tanh");
    ctx->save_for_backward({xc, y});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &y = saved[1];
    auto g = grads[0].contiguous();
    auto dx = torch::empty_like(x);
    const float *X = x.data_ptr<float>(), *Y = y.data_ptr<float>(), *G = g.data_ptr<float>();
    float* dX = dx.data_ptr<float>();
    at::parallel_for(0, x.numel(), 1 << 14, [&](int64_t b, int64_t e) {
      gelu_tanh_backward(X + b, Y + b, G + b, dX + b, e - b);
    });
    return {dx};
  }
};

}  // namespace

torch::Tensor gelu_tanh(const torch::Tensor& x) {
  if (!cpu_float32({&x}) || !torch::GradMode::is_enabled() || !x.requires_grad())
    return torch::gelu(x, "tanh");
  return FusedGelu::apply(x);
}

}  // namespace rflab::core
