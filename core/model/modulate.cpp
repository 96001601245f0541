#include "core/model/modulate.h"

#include <ATen/Parallel.h>

#include "core/model/cpu_kernel.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Each sample b is one task: its token reductions run in a fixed order on one thread, so the
// results do not depend on the number of threads.
template <class F>
void per_sample(int64_t B, F f) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) f(b);
  });
}

struct Modulate : torch::autograd::Function<Modulate> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor shift, torch::Tensor scale) {
    x = x.contiguous();
    shift = shift.contiguous();
    scale = scale.contiguous();
    const int64_t B = x.size(0), L = x.size(1), H = x.size(2);
    auto y = torch::empty_like(x);
    const float *X = x.data_ptr<float>(), *Sh = shift.data_ptr<float>(), *Sc = scale.data_ptr<float>();
    float* Y = y.data_ptr<float>();
    per_sample(B, [&](int64_t b) {
      const float *sh = Sh + b * H, *sc = Sc + b * H;
      for (int64_t l = 0; l < L; ++l) {
        const float* xr = X + (b * L + l) * H;
        float* yr = Y + (b * L + l) * H;
        for (int64_t i = 0; i < H; ++i) yr[i] = xr[i] * (1.0f + sc[i]) + sh[i];
      }
    });
    ctx->save_for_backward({x, scale});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &scale = saved[1];
    auto g = grads[0].contiguous();
    const int64_t B = x.size(0), L = x.size(1), H = x.size(2);
    auto dx = torch::empty_like(x);
    auto dshift = torch::zeros({B, H}, x.options()), dscale = torch::zeros({B, H}, x.options());
    const float *X = x.data_ptr<float>(), *Sc = scale.data_ptr<float>(), *G = g.data_ptr<float>();
    float *dX = dx.data_ptr<float>(), *dSh = dshift.data_ptr<float>(), *dSc = dscale.data_ptr<float>();
    per_sample(B, [&](int64_t b) {
      const float* sc = Sc + b * H;
      float *dsh = dSh + b * H, *dsc = dSc + b * H;
      for (int64_t l = 0; l < L; ++l) {
        const int64_t r = (b * L + l) * H;
        for (int64_t i = 0; i < H; ++i) {
          dX[r + i] = G[r + i] * (1.0f + sc[i]);
          dsh[i] += G[r + i];
          dsc[i] += G[r + i] * X[r + i];
        }
      }
    });
    return {dx, dshift, dscale};
  }
};

struct GatedResidual : torch::autograd::Function<GatedResidual> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor gate, torch::Tensor y) {
    x = x.contiguous();
    gate = gate.contiguous();
    y = y.contiguous();
    const int64_t B = x.size(0), L = x.size(1), H = x.size(2);
    auto out = torch::empty_like(x);
    const float *X = x.data_ptr<float>(), *Gt = gate.data_ptr<float>(), *Y = y.data_ptr<float>();
    float* O = out.data_ptr<float>();
    per_sample(B, [&](int64_t b) {
      const float* gt = Gt + b * H;
      for (int64_t l = 0; l < L; ++l) {
        const int64_t r = (b * L + l) * H;
        for (int64_t i = 0; i < H; ++i) O[r + i] = X[r + i] + gt[i] * Y[r + i];
      }
    });
    ctx->save_for_backward({gate, y});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &gate = saved[0], &y = saved[1];
    auto g = grads[0].contiguous();
    const int64_t B = y.size(0), L = y.size(1), H = y.size(2);
    auto dy = torch::empty_like(y);
    auto dgate = torch::zeros({B, H}, y.options());
    const float *Gt = gate.data_ptr<float>(), *Y = y.data_ptr<float>(), *G = g.data_ptr<float>();
    float *dY = dy.data_ptr<float>(), *dGt = dgate.data_ptr<float>();
    per_sample(B, [&](int64_t b) {
      const float* gt = Gt + b * H;
      float* dgt = dGt + b * H;
      for (int64_t l = 0; l < L; ++l) {
        const int64_t r = (b * L + l) * H;
        for (int64_t i = 0; i < H; ++i) {
          dY[r + i] = G[r + i] * gt[i];
          dgt[i] += G[r + i] * Y[r + i];
        }
      }
    });
    return {g, dgate, dy};
  }
};

}  // namespace

torch::Tensor modulate(const torch::Tensor& x, const torch::Tensor& shift, const torch::Tensor& scale) {
  if (!cpu_float32({&x, &shift, &scale})) return torch::addcmul(shift.unsqueeze(1), x, 1 + scale.unsqueeze(1));
  return Modulate::apply(x, shift, scale);
}

torch::Tensor gated_residual(const torch::Tensor& x, const torch::Tensor& gate, const torch::Tensor& y) {
  if (!cpu_float32({&x, &gate, &y})) return torch::addcmul(x, gate.unsqueeze(1), y);
  return GatedResidual::apply(x, gate, y);
}

}  // namespace rflab::core
