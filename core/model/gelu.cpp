#include "core/model/gelu.h"

#include <ATen/Parallel.h>

#include <cstdint>

#include "core/model/cpu_kernel.h"
#include "core/model/vectorised.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr float kAlpha = 0.7978845608028654f;  // √(2/π)
constexpr float kBeta = 0.044715f;
// Elements per task of the intra-op pool.
constexpr int64_t kGrain = 1 << 14;

// ½·(1 + tanh(u)) = σ(2u) = 1/(1 + e) with e = e^(−2u), u = √(2/π)·(x + 0.044715·x³): the form
// without the cancellation of 1 + tanh(u) for negative u. Clamping −2u to ±80 changes σ only
// below 1e-34 (x < −9.9) and above 1 − 1e-34, both beyond float resolution of y.
__attribute__((always_inline)) inline float e_minus_2u(float x) {
  float v = -2.0f * kAlpha * x * (1.0f + kBeta * x * x);
  v = v < -80.0f ? -80.0f : v;
  v = v > 80.0f ? 80.0f : v;
  return exp_clamped(v);
}

// y = x·s, s = σ(2u) (the same bits as the loop below: sampling and training see one function).
struct GeluForward {
  __attribute__((always_inline)) static void run(const float* __restrict x, float* __restrict y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * (1.0f / (1.0f + e_minus_2u(x[i])));
  }
};

// y, and dy/dx = s + x·s·(1 − s)·2·√(2/π)·(1 + 3·0.044715·x²) for the backward pass, from the
// same e; 1 − s is taken as e·s, exact where s is near 1.
struct GeluForwardWithSlope {
  __attribute__((always_inline)) static void run(const float* __restrict x, float* __restrict y,
                                                 float* __restrict dydx, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const float xi = x[i], e = e_minus_2u(xi), s = 1.0f / (1.0f + e);
      y[i] = xi * s;
      dydx[i] = s + xi * s * (e * s) * (2.0f * kAlpha) * (1.0f + 3.0f * kBeta * xi * xi);
    }
  }
};

// y = gelu(x) into a new tensor, and dy/dx into a second where `dydx` is given.
torch::Tensor forward_cpu(const torch::Tensor& x, torch::Tensor* dydx = nullptr) {
  auto y = torch::empty_like(x);
  const float* X = x.data_ptr<float>();
  float* Y = y.data_ptr<float>();
  if (dydx == nullptr) {
    at::parallel_for(0, x.numel(), kGrain,
                     [&](int64_t b, int64_t e) { in_vector_build<GeluForward>(X + b, Y + b, e - b); });
    return y;
  }
  *dydx = torch::empty_like(x);
  float* D = dydx->data_ptr<float>();
  at::parallel_for(0, x.numel(), kGrain,
                   [&](int64_t b, int64_t e) { in_vector_build<GeluForwardWithSlope>(X + b, Y + b, D + b, e - b); });
  return y;
}

// Saves dy/dx instead of x: the same memory, and the backward pass is one product.
struct FusedGelu : torch::autograd::Function<FusedGelu> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x) {
    torch::Tensor dydx;
    auto y = forward_cpu(x.contiguous(), &dydx);
    ctx->save_for_backward({dydx});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    return {grads[0] * ctx->get_saved_variables()[0]};
  }
};

}  // namespace

torch::Tensor gelu_tanh_aten(const torch::Tensor& x) { return torch::gelu(x, "tanh"); }

torch::Tensor gelu_tanh(const torch::Tensor& x) {
  if (!cpu_float32({&x})) return gelu_tanh_aten(x);
  if (!torch::GradMode::is_enabled() || !x.requires_grad()) return forward_cpu(x.contiguous());
  return FusedGelu::apply(x);
}

}  // namespace rflab::core
