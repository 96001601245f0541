#include "core/model/joint_attention.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/util/blas.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void softmax_rows(float* s, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    float* r = s + i * cols;
    const float mx = *std::max_element(r, r + cols);
    float sum = 0;
    for (int64_t j = 0; j < cols; ++j) sum += (r[j] = std::exp(r[j] - mx));
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < cols; ++j) r[j] *= inv;
  }
}

struct Shape {
  int64_t B, heads, L, d;
  int64_t pairs() const { return B * heads; }
  int64_t hidden() const { return heads * d; }
  // Offset of pair p's [L, d] block inside a [B, L, heads·d] tensor (row stride heads·d).
  int64_t merged_offset(int64_t p) const { return (p / heads) * L * hidden() + (p % heads) * d; }
};

Shape shape_of(const torch::Tensor& q) { return {q.size(0), q.size(1), q.size(2), q.size(3)}; }

struct FusedAttention : torch::autograd::Function<FusedAttention> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor q, torch::Tensor k, torch::Tensor v) {
    q = q.contiguous();
    k = k.contiguous();
    v = v.contiguous();
    const Shape s = shape_of(q);
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.d));
    auto out = torch::empty({s.B, s.L, s.hidden()}, q.options());
    auto probs = torch::empty({s.pairs(), s.L, s.L}, q.options());
    const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
    float *O = out.data_ptr<float>(), *P = probs.data_ptr<float>();
    const int64_t Ld = s.L * s.d, LL = s.L * s.L;
    {
      SingleThreadedBlas one;
      at::parallel_for(0, s.pairs(), 1, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          float* Pp = P + p * LL;
          sgemm_rows(false, true, s.L, s.L, s.d, scale, Q + p * Ld, s.d, K + p * Ld, s.d, 0.0f, Pp, s.L);
          softmax_rows(Pp, s.L, s.L);
          sgemm_rows(false, false, s.L, s.d, s.L, 1.0f, Pp, s.L, V + p * Ld, s.d, 0.0f, O + s.merged_offset(p),
                     s.hidden());
        }
      });
    }
    ctx->save_for_backward({q, k, v, probs});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &probs = saved[3];
    auto g = grads[0].contiguous();
    const Shape s = shape_of(q);
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.d));
    auto dq = torch::empty_like(q), dk = torch::empty_like(k), dv = torch::empty_like(v);
    const float *Q = q.data_ptr<float>(), *K = k.data_ptr<float>(), *V = v.data_ptr<float>();
    const float *P = probs.data_ptr<float>(), *G = g.data_ptr<float>();
    float *dQ = dq.data_ptr<float>(), *dK = dk.data_ptr<float>(), *dV = dv.data_ptr<float>();
    const int64_t Ld = s.L * s.d, LL = s.L * s.L;
    {
      SingleThreadedBlas one;
      at::parallel_for(0, s.pairs(), 1, [&](int64_t p0, int64_t p1) {
        std::vector<float> dS(static_cast<size_t>(LL));
        for (int64_t p = p0; p < p1; ++p) {
          const float* Pp = P + p * LL;
          const float* Gp = G + s.merged_offset(p);
          // dV = Pᵀ·dO; dP = dO·Vᵀ; dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ = scale·dS·K; dK = scale·dSᵀ·Q.
          sgemm_rows(true, false, s.L, s.d, s.L, 1.0f, Pp, s.L, Gp, s.hidden(), 0.0f, dV + p * Ld, s.d);
          sgemm_rows(false, true, s.L, s.L, s.d, 1.0f, Gp, s.hidden(), V + p * Ld, s.d, 0.0f, dS.data(), s.L);
          for (int64_t i = 0; i < s.L; ++i) {
            float* r = dS.data() + i * s.L;
            const float* pr = Pp + i * s.L;
            float dot = 0;
            for (int64_t j = 0; j < s.L; ++j) dot += r[j] * pr[j];
            for (int64_t j = 0; j < s.L; ++j) r[j] = pr[j] * (r[j] - dot);
          }
          sgemm_rows(false, false, s.L, s.d, s.L, scale, dS.data(), s.L, K + p * Ld, s.d, 0.0f, dQ + p * Ld, s.d);
          sgemm_rows(true, false, s.L, s.d, s.L, scale, dS.data(), s.L, Q + p * Ld, s.d, 0.0f, dK + p * Ld, s.d);
        }
      });
    }
    return {dq, dk, dv};
  }
};

}  // namespace

torch::Tensor joint_attention_aten(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t B = q.size(0), heads = q.size(1), L = q.size(2), hd = q.size(3);
  auto qf = q.reshape({B * heads, L, hd});
  auto kf = k.reshape({B * heads, L, hd});
  auto vf = v.reshape({B * heads, L, hd});
  auto scores = torch::bmm(qf, kf.transpose(1, 2)).mul_(1.0 / std::sqrt(static_cast<double>(hd)));
  auto o = torch::bmm(torch::softmax(scores, -1), vf);
  return o.view({B, heads, L, hd}).transpose(1, 2).reshape({B, L, heads * hd});
}

torch::Tensor joint_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const bool fused = q.device().is_cpu() && q.scalar_type() == torch::kFloat32 && k.scalar_type() == torch::kFloat32 &&
                     v.scalar_type() == torch::kFloat32 && has_sgemm();
  if (!fused) return joint_attention_aten(q, k, v);
  return FusedAttention::apply(q, k, v);
}

}  // namespace rflab::core
