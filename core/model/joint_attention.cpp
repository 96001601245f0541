#include "core/model/joint_attention.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/model/cpu_kernel.h"
#include "core/model/mac_tally.h"
#include "core/model/vectorised.h"
#include "core/util/blas.h"

namespace rflab::core {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Each row of s in place: e^(s − max) over its sum. Exponents below −80 give e^−80 instead of
// less, which adds under 1e-34 to a sum of at least 1.
struct SoftmaxRows {
  __attribute__((always_inline)) static void run(float* __restrict s, int64_t rows, int64_t cols) {
    for (int64_t i = 0; i < rows; ++i) {
      float* __restrict r = s + i * cols;
      float mx = r[0];
      for (int64_t j = 1; j < cols; ++j) mx = r[j] > mx ? r[j] : mx;
      for (int64_t j = 0; j < cols; ++j) {
        const float v = r[j] - mx;
        r[j] = exp_clamped(v < -80.0f ? -80.0f : v);
      }
      float sum = 0;
      for (int64_t j = 0; j < cols; ++j) sum += r[j];
      const float inv = 1.0f / sum;
      for (int64_t j = 0; j < cols; ++j) r[j] *= inv;
    }
  }
};
void softmax_rows(float* s, int64_t rows, int64_t cols) { in_vector_build<SoftmaxRows>(s, rows, cols); }

// One pair (sample, head) of the joint sequence gathered into contiguous [L, d] scratch rows:
// context rows first, then image rows (SPEC §9.4).
struct Segments {
  int64_t B, heads, Lc, Lx, d;
  int64_t L() const { return Lc + Lx; }
  int64_t pairs() const { return B * heads; }
  int64_t hidden() const { return heads * d; }
  // Offset of pair p's first row inside a stream's [B, L_s, heads·d] output (row stride heads·d).
  int64_t merged(int64_t p, int64_t Ls) const { return (p / heads) * Ls * hidden() + (p % heads) * d; }
  void gather(const float* ctx, const float* img, int64_t p, float* out) const {
    std::copy(ctx + p * Lc * d, ctx + (p + 1) * Lc * d, out);
    std::copy(img + p * Lx * d, img + (p + 1) * Lx * d, out + Lc * d);
  }
  void scatter(const float* in, int64_t p, float* ctx, float* img) const {
    std::copy(in, in + Lc * d, ctx + p * Lc * d);
    std::copy(in + Lc * d, in + L() * d, img + p * Lx * d);
  }
};

const float* ptr(const torch::Tensor& t) { return t.data_ptr<float>(); }
float* ptr(torch::Tensor& t) { return t.data_ptr<float>(); }

struct FusedAttention : torch::autograd::Function<FusedAttention> {
  // Inputs q, k, v of the context stream [B, heads, Lc, d] and of the image stream [B, heads, Lx, d];
  // outputs [B, Lc, heads·d] and [B, Lx, heads·d].
  static variable_list forward(AutogradContext* ctx, torch::Tensor qc, torch::Tensor kc, torch::Tensor vc,
                               torch::Tensor qx, torch::Tensor kx, torch::Tensor vx) {
    for (auto* t : {&qc, &kc, &vc, &qx, &kx, &vx}) *t = t->contiguous();
    const Segments s{qc.size(0), qc.size(1), qc.size(2), qx.size(2), qc.size(3)};
    const int64_t L = s.L(), LL = L * L, H = s.hidden();
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.d));
    auto oc = torch::empty({s.B, s.Lc, H}, qc.options()), ox = torch::empty({s.B, s.Lx, H}, qc.options());
    auto probs = torch::empty({s.pairs(), L, L}, qc.options());
    float *Oc = ptr(oc), *Ox = ptr(ox), *P = ptr(probs);
    {
      SingleThreadedBlas one;
      at::parallel_for(0, s.pairs(), 1, [&](int64_t p0, int64_t p1) {
        std::vector<float> Q(L * s.d), K(L * s.d), V(L * s.d);
        for (int64_t p = p0; p < p1; ++p) {
          s.gather(ptr(qc), ptr(qx), p, Q.data());
          s.gather(ptr(kc), ptr(kx), p, K.data());
          s.gather(ptr(vc), ptr(vx), p, V.data());
          float* Pp = P + p * LL;
          sgemm_rows(false, true, L, L, s.d, scale, Q.data(), s.d, K.data(), s.d, 0.0f, Pp, L);
          softmax_rows(Pp, L, L);
          if (s.Lc > 0)
            sgemm_rows(false, false, s.Lc, s.d, L, 1.0f, Pp, L, V.data(), s.d, 0.0f, Oc + s.merged(p, s.Lc), H);
          if (s.Lx > 0)
            sgemm_rows(false, false, s.Lx, s.d, L, 1.0f, Pp + s.Lc * L, L, V.data(), s.d, 0.0f,
                       Ox + s.merged(p, s.Lx), H);
        }
      });
    }
    ctx->save_for_backward({qc, kc, vc, qx, kx, vx, probs});
    return {oc, ox};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &qc = saved[0], &kc = saved[1], &vc = saved[2], &qx = saved[3], &kx = saved[4], &vx = saved[5];
    const auto& probs = saved[6];
    // An unused output (the last block's context stream) has no gradient: its rows count as zero.
    auto gc = grads[0].defined() ? grads[0].contiguous() : torch::Tensor();
    auto gx = grads[1].defined() ? grads[1].contiguous() : torch::Tensor();
    const Segments s{qc.size(0), qc.size(1), qc.size(2), qx.size(2), qc.size(3)};
    const int64_t L = s.L(), LL = L * L, H = s.hidden();
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.d));
    variable_list d = {torch::empty_like(qc), torch::empty_like(kc), torch::empty_like(vc),
                       torch::empty_like(qx), torch::empty_like(kx), torch::empty_like(vx)};
    const float* P = ptr(probs);
    const float* Gc = gc.defined() ? ptr(gc) : nullptr;
    const float* Gx = gx.defined() ? ptr(gx) : nullptr;
    {
      SingleThreadedBlas one;
      at::parallel_for(0, s.pairs(), 1, [&](int64_t p0, int64_t p1) {
        std::vector<float> Q(L * s.d), K(L * s.d), V(L * s.d), dQ(L * s.d), dK(L * s.d), dV(L * s.d), dS(LL);
        for (int64_t p = p0; p < p1; ++p) {
          s.gather(ptr(qc), ptr(qx), p, Q.data());
          s.gather(ptr(kc), ptr(kx), p, K.data());
          s.gather(ptr(vc), ptr(vx), p, V.data());
          const float* Pp = P + p * LL;
          // dV = Pᵀ·dO and dP = dO·Vᵀ, with dO's rows split between the two streams' gradients.
          float beta = 0.0f;
          std::fill(dS.begin(), dS.end(), 0.0f);
          if (Gc && s.Lc > 0) {
            sgemm_rows(true, false, L, s.d, s.Lc, 1.0f, Pp, L, Gc + s.merged(p, s.Lc), H, beta, dV.data(), s.d);
            sgemm_rows(false, true, s.Lc, L, s.d, 1.0f, Gc + s.merged(p, s.Lc), H, V.data(), s.d, 0.0f, dS.data(), L);
            beta = 1.0f;
          }
          if (Gx && s.Lx > 0) {
            sgemm_rows(true, false, L, s.d, s.Lx, 1.0f, Pp + s.Lc * L, L, Gx + s.merged(p, s.Lx), H, beta, dV.data(),
                       s.d);
            sgemm_rows(false, true, s.Lx, L, s.d, 1.0f, Gx + s.merged(p, s.Lx), H, V.data(), s.d, 0.0f,
                       dS.data() + s.Lc * L, L);
            beta = 1.0f;
          }
          if (beta == 0.0f) std::fill(dV.begin(), dV.end(), 0.0f);
          // dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ = scale·dS·K; dK = scale·dSᵀ·Q.
          for (int64_t i = 0; i < L; ++i) {
            float* r = dS.data() + i * L;
            const float* pr = Pp + i * L;
            const float dot = sum_lanes(L, [=](int64_t j) { return r[j] * pr[j]; });
            for (int64_t j = 0; j < L; ++j) r[j] = pr[j] * (r[j] - dot);
          }
          sgemm_rows(false, false, L, s.d, L, scale, dS.data(), L, K.data(), s.d, 0.0f, dQ.data(), s.d);
          sgemm_rows(true, false, L, s.d, L, scale, dS.data(), L, Q.data(), s.d, 0.0f, dK.data(), s.d);
          s.scatter(dQ.data(), p, ptr(d[0]), ptr(d[3]));
          s.scatter(dK.data(), p, ptr(d[1]), ptr(d[4]));
          s.scatter(dV.data(), p, ptr(d[2]), ptr(d[5]));
        }
      });
    }
    return d;
  }
};

}  // namespace

torch::Tensor joint_attention_aten(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t B = q.size(0), heads = q.size(1), L = q.size(2), hd = q.size(3);
  // libtorch 2.x: its fused attention (flash / memory-efficient kernels on CUDA, bf16 under autocast).
  if constexpr (compat::kHasScaledDotProductAttention)
    return compat::scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape({B, L, heads * hd});
  auto qf = q.reshape({B * heads, L, hd});
  auto kf = k.reshape({B * heads, L, hd});
  auto vf = v.reshape({B * heads, L, hd});
  auto scores = torch::bmm(qf, kf.transpose(1, 2)).mul_(1.0 / std::sqrt(static_cast<double>(hd)));
  auto o = torch::bmm(torch::softmax(scores, -1), vf);
  return o.view({B, heads, L, hd}).transpose(1, 2).reshape({B, L, heads * hd});
}

std::pair<torch::Tensor, torch::Tensor> joint_attention(const AttentionInputs& context, const AttentionInputs& image) {
  const int64_t L = context.q.size(2) + image.q.size(2);
  MacTally::add(2 * context.q.size(0) * context.q.size(1) * L * L * context.q.size(3));  // Q·Kᵀ and A·V
  if (cpu_float32({&context.q, &context.k, &context.v, &image.q, &image.k, &image.v}) && has_sgemm()) {
    auto o = FusedAttention::apply(context.q, context.k, context.v, image.q, image.k, image.v);
    return {o[0], o[1]};
  }
  const int64_t M = context.q.size(2);
  auto o = joint_attention_aten(torch::cat({context.q, image.q}, 2), torch::cat({context.k, image.k}, 2),
                                torch::cat({context.v, image.v}, 2));
  return {o.narrow(1, 0, M), o.narrow(1, M, o.size(1) - M)};
}

torch::Tensor joint_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  MacTally::add(2 * q.size(0) * q.size(1) * q.size(2) * k.size(2) * q.size(3));
  if (!cpu_float32({&q, &k, &v}) || !has_sgemm()) return joint_attention_aten(q, k, v);
  auto none = torch::empty({q.size(0), q.size(1), 0, q.size(3)}, q.options());
  return FusedAttention::apply(q, k, v, none, none, none)[0];
}

}  // namespace rflab::core
