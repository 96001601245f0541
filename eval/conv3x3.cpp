#include "eval/conv3x3.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/model/cpu_kernel.h"
#include "core/model/linear.h"
#include "core/model/mac_tally.h"
#include "core/model/vectorised.h"
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
// The map with a border of zeros: [B, H, W, C] -> [B, H+2, W+2, C] (through ATen's autograd).
torch::Tensor zero_border(const torch::Tensor& x) { return torch::constant_pad_nd(x, {0, 0, 1, 1, 1, 1}); }

torch::Tensor unfold_3x3_composite(const torch::Tensor& x) {
  const int64_t H = x.size(1), W = x.size(2);
  const auto padded = zero_border(x);  // [B, H+2, W+2, C]
  std::vector<torch::Tensor> taps;                                   // tap (dy, dx) at 3·dy + dx, [B, H, W, C]
  for (int64_t dy = 0; dy < 3; ++dy)
    for (int64_t dx = 0; dx < 3; ++dx) taps.push_back(padded.narrow(1, dy, H).narrow(2, dx, W));
  return torch::cat(taps, 3);
}

// ---- The direct convolution: no neighbourhood copies ----------------------------------------

// Eight floats as one value (GCC's vector extension): two SSE registers in the baseline build,
// one AVX register in the AVX2 + FMA build.
using v8 = float __attribute__((vector_size(32)));

__attribute__((always_inline)) inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// P neighbouring output pixels of one row times output channels [o0, o0 + 16), held in registers:
//   out[p, o] = bias[o] + Σ_{dy, dx, c} in[dy·row + (p + dx)·C + c] · taps[((3·dy + dx)·C + c)·O + o]
// with `in` at the row's first input pixel of the padded map and `row` its row stride.
template <int P>
__attribute__((always_inline)) inline void direct_tile(const float* in, int64_t row, int64_t C, const float* taps,
                                                       int64_t O, const float* bias, float* out, int64_t o0) {
  v8 acc[P][2];
  for (int p = 0; p < P; ++p) acc[p][0] = load8(bias + o0), acc[p][1] = load8(bias + o0 + 8);
  for (int64_t dy = 0; dy < 3; ++dy)
    for (int64_t dx = 0; dx < 3; ++dx) {
      const float* src = in + dy * row + dx * C;
      const float* w = taps + (3 * dy + dx) * C * O + o0;
      for (int64_t c = 0; c < C; ++c, w += O) {
        const v8 w0 = load8(w), w1 = load8(w + 8);
        for (int p = 0; p < P; ++p) {
          const float v = src[p * C + c];
          acc[p][0] += v * w0;
          acc[p][1] += v * w1;
        }
      }
    }
  for (int p = 0; p < P; ++p) store8(out + p * O + o0, acc[p][0]), store8(out + p * O + o0 + 8, acc[p][1]);
}

// Output rows [r0, r1) of the B·H rows: tiles of four pixels, then single pixels.
struct DirectRows {
  __attribute__((always_inline)) static void run(const float* in, const float* taps, const float* bias, float* out,
                                                 int64_t H, int64_t W, int64_t C, int64_t O, int64_t r0, int64_t r1) {
    const int64_t row = (W + 2) * C;
    for (int64_t r = r0; r < r1; ++r) {
      const float* row_in = in + (r / H * (H + 2) + r % H) * row;
      float* row_out = out + r * W * O;
      for (int64_t o0 = 0; o0 < O; o0 += 16) {
        int64_t x = 0;
        for (; x + 4 <= W; x += 4) direct_tile<4>(row_in + x * C, row, C, taps, O, bias, row_out + x * O, o0);
        for (; x < W; ++x) direct_tile<1>(row_in + x * C, row, C, taps, O, bias, row_out + x * O, o0);
      }
    }
  }
};

// out [B, H, W, O] from the zero-bordered map in [B, H+2, W+2, C], taps [3, 3, C, O] and bias [O];
// O a multiple of 16. Rows split over the intra-op threads, each output written by one thread
// in one fixed order: the same bits on every thread count.
torch::Tensor direct_conv(const torch::Tensor& in, const torch::Tensor& taps, const torch::Tensor& bias) {
  const int64_t B = in.size(0), H = in.size(1) - 2, W = in.size(2) - 2, C = in.size(3), O = taps.size(3);
  auto out = torch::empty({B, H, W, O}, in.options());
  const float *src = in.data_ptr<float>(), *t = taps.data_ptr<float>(), *b = bias.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, B * H, 1, [&](int64_t r0, int64_t r1) {
    core::in_vector_build<DirectRows>(src, t, b, dst, H, W, C, O, r0, r1);
  });
  return out;
}

// x [B, H, W, C], weight [O, C, 3, 3], bias [O] -> [B, H, W, O] by direct_conv. Backward: the
// input's gradient is the same convolution of the zero-bordered output gradient with the kernel
// flipped and transposed; the weight's, per tap, one product over the bordered grid's pixels
// (the border's zero gradient drops what the shift brings in from neighbouring rows or images).
struct DirectConv3x3 : torch::autograd::Function<DirectConv3x3> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, torch::Tensor bias) {
    auto padded = zero_border(x).contiguous();
    auto y = direct_conv(padded, weight.permute({2, 3, 1, 0}).contiguous(), bias.contiguous());
    ctx->save_for_backward({padded, weight});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &padded = saved[0], &weight = saved[1];
    const int64_t B = padded.size(0), H = padded.size(1) - 2, W = padded.size(2) - 2, C = padded.size(3);
    const int64_t O = weight.size(0);
    const auto g = zero_border(grads[0]).contiguous();  // [B, H+2, W+2, O]
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0))  // taps [3, 3, O, C]: tap (e_y, e_x) is the kernel's (2 - e_y, 2 - e_x)
      dx = direct_conv(g, weight.flip({2, 3}).permute({2, 3, 0, 1}).contiguous(), torch::zeros({C}, g.options()));
    if (ctx->needs_input_grad(1)) {
      // Tap (dy, dx) reads the bordered pixel q + s for the output at bordered pixel q.
      // On one OpenBLAS thread: with two, OpenBLAS splits these thin products so that their bits
      // depend on the thread count (inside training's parts it has one thread anyway).
      core::SingleThreadedBlas one_blas_thread;
      auto taps = torch::empty({3, 3, O, C}, g.options());
      const int64_t first = W + 3, count = B * (H + 2) * (W + 2) - 2 * first;
      for (int64_t dy = 0; dy < 3; ++dy)
        for (int64_t dx_ = 0; dx_ < 3; ++dx_) {
          const int64_t s = (dy - 1) * (W + 2) + (dx_ - 1);
          core::sgemm_rows(true, false, O, C, count, 1.0f, g.data_ptr<float>() + first * O, O,
                           padded.data_ptr<float>() + (first + s) * C, C, 0.0f,
                           taps.data_ptr<float>() + (3 * dy + dx_) * O * C, C);
        }
      dw = taps.permute({2, 3, 0, 1}).contiguous();  // [O, C, 3, 3]
    }
    if (ctx->needs_input_grad(2)) db = grads[0].reshape({-1, O}).sum(0);
    return {dx, dw, db};
  }
};

std::atomic<bool> g_direct{true};

}  // namespace

void set_conv3x3_direct(bool on) { g_direct.store(on, std::memory_order_relaxed); }

bool conv3x3_direct_applies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const bool input_gradient = x.requires_grad() && torch::GradMode::is_enabled();
  // 16 output channels: where the product's 16-column sgemm and the neighbourhoods' copies cost
  // more than the direct loop (bench_features BM_ConvTowerTrainStep, README Performance; at 32
  // channels and more OpenBLAS's products were as fast or faster).
  return g_direct.load(std::memory_order_relaxed) && core::cpu_float32({&x, &weight, &bias}) && core::has_sgemm() &&
         x.dim() == 4 && weight.size(0) == 16 && (!input_gradient || weight.size(1) % 16 == 0);
}

torch::Tensor conv3x3_composite(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  return core::linear_rows_aten(kernel_matrix(weight), bias, unfold_3x3_composite(x));  // [B, H, W, O]
}

torch::Tensor conv3x3_channels_last(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (conv3x3_direct_applies(x, weight, bias)) {
    core::MacTally::add(x.numel() / x.size(3) * weight.numel());
    return DirectConv3x3::apply(x, weight, bias);
  }
  const bool kernel = core::cpu_float32({&x, &weight}) && core::has_sgemm();
  // core::linear_rows: one sgemm per pass, its backward the kernel's and the columns' gradients.
  return core::linear_rows(kernel_matrix(weight), bias, kernel ? Unfold3x3::apply(x) : unfold_3x3_composite(x));
}

}  // namespace rflab::eval
