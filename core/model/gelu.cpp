#include "core/model/gelu.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/model/cpu_kernel.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr float kAlpha = 0.7978845608028654f;  // √(2/π)
constexpr float kBeta = 0.044715f;
// Elements per task of the intra-op pool.
constexpr int64_t kGrain = 1 << 14;

// e^v for v in [−80, 80] (the callers clamp, so that every result stays a normal float): v = n·ln2 + r
// with |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial (relative error < 1e-7 on that
// interval, below float rounding), 2^n put into the exponent bits. Plain arithmetic, so the
// loops calling it vectorise.
__attribute__((always_inline)) inline float exp_clamped(float v) {
  constexpr float kLog2e = 1.4426950408889634f;
  constexpr float kLn2Hi = 0.693359375f;  // ln 2 split so that n·kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5·2^23: adding and subtracting it rounds to an integer
  const float n = (v * kLog2e + kRound) - kRound;
  const float r = (v - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// ½·(1 + tanh(u)) = σ(2u) = 1/(1 + e) with e = e^(−2u), u = √(2/π)·(x + 0.044715·x³): the form
// without the cancellation of 1 + tanh(u) for negative u. Clamping −2u to ±80 changes σ only
// below 1e-34 (x < −9.9) and above 1 − 1e-34, both beyond float resolution of y.
__attribute__((always_inline)) inline float e_minus_2u(float x) {
  float v = -2.0f * kAlpha * x * (1.0f + kBeta * x * x);
  v = v < -80.0f ? -80.0f : v;
  v = v > 80.0f ? 80.0f : v;
  return exp_clamped(v);
}

// y = x·σ(2u). One clone per instruction set, picked at load time.
__attribute__((target_clones("avx512f", "avx2", "default")))
void gelu_tanh_forward(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + e_minus_2u(x[i]));
}

// dy/dx = s + x·s·(1 − s)·2·√(2/π)·(1 + 3·0.044715·x²) with s = σ(2u), from x alone; 1 − s is
// taken as e·s, exact where s is near 1.
__attribute__((target_clones("avx512f", "avx2", "default")))
void gelu_tanh_backward(const float* __restrict x, const float* __restrict g, float* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float xi = x[i], e = e_minus_2u(xi), s = 1.0f / (1.0f + e);
    const float d = s + xi * s * (e * s) * (2.0f * kAlpha) * (1.0f + 3.0f * kBeta * xi * xi);
    dx[i] = g[i] * d;
  }
}

torch::Tensor forward_cpu(const torch::Tensor& x) {
  auto y = torch::empty_like(x);
  const float* X = x.data_ptr<float>();
  float* Y = y.data_ptr<float>();
  at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { gelu_tanh_forward(X + b, Y + b, e - b); });
  return y;
}

struct FusedGelu : torch::autograd::Function<FusedGelu> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x) {
    auto xc = x.contiguous();
    ctx->save_for_backward({xc});
    return forward_cpu(xc);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto x = ctx->get_saved_variables()[0];
    auto g = grads[0].contiguous();
    auto dx = torch::empty_like(x);
    const float *X = x.data_ptr<float>(), *G = g.data_ptr<float>();
    float* dX = dx.data_ptr<float>();
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { gelu_tanh_backward(X + b, G + b, dX + b, e - b); });
    return {dx};
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
