#include "core/model/embedders.h"

#include "core/model/linear.h"
#include "core/model/mac_tally.h"

#include <cmath>
#include <stdexcept>

namespace rflab::core {

torch::Tensor timestep_frequencies(const torch::Tensor& c_t, int64_t frequency_dim) {
  const int64_t half = frequency_dim / 2;
  auto j = torch::arange(half, torch::dtype(torch::kFloat32).device(c_t.device()));
  auto f = torch::exp(-std::log(10000.0) * j / static_cast<double>(half));
  auto args = c_t.to(torch::kFloat32).unsqueeze(1) * f.unsqueeze(0);
  return torch::cat({torch::cos(args), torch::sin(args)}, 1);
}

torch::Tensor sincos_1d(const torch::Tensor& positions, int64_t dim) {
  // Computed in float64 (as the reference's numpy table), then stored as float32.
  const int64_t half = dim / 2;
  auto i = torch::arange(half, torch::kFloat64);
  auto omega = 1.0 / torch::pow(10000.0, i / static_cast<double>(half));
  auto out = positions.to(torch::kFloat64).reshape({-1, 1}) * omega.reshape({1, -1});
  return torch::cat({torch::sin(out), torch::cos(out)}, 1);
}

torch::Tensor sincos_2d_table(int64_t grid, int64_t hidden) {
  if (hidden % 4 != 0) throw std::invalid_argument("position table: hidden must be a multiple of 4");
  auto pos = torch::arange(grid, torch::kFloat64);
  auto rows = pos.repeat_interleave(grid);  // r of entry r·G + c
  auto cols = pos.repeat({grid});           // c of entry r·G + c
  auto table = torch::cat({sincos_1d(cols, hidden / 2), sincos_1d(rows, hidden / 2)}, 1);
  return table.to(torch::kFloat32);
}

torch::Tensor crop_position_table(const torch::Tensor& table, int64_t grid, int64_t h, int64_t w) {
  if (h > grid || w > grid)
    throw std::invalid_argument("patch grid " + std::to_string(h) + "x" + std::to_string(w) +
                                " exceeds the position table " + std::to_string(grid) + "x" + std::to_string(grid));
  const int64_t top = (grid - h) / 2, left = (grid - w) / 2;
  auto t = table.reshape({grid, grid, -1});
  return t.slice(0, top, top + h).slice(1, left, left + w).reshape({h * w, -1});
}

PatchEmbedImpl::PatchEmbedImpl(int64_t in_channels, int64_t hidden, int64_t patch) {
  proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, hidden, patch).stride(patch).bias(true)));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& x) {
  // A convolution whose stride equals its kernel is a Linear on the non-overlapping patches, each
  // flattened (c, i, j) like the kernel: [B, C, h, w] -> [B, L, C·p·p], then one product with the
  // kernel as an [H, C·p·p] matrix (core/model/linear.h). ATen's CPU convolution backward gives
  // wrong weight gradients when two threads run it at once, as training in parts does
  // (core/train/backward_in_parts.h); this is one sgemm per pass.
  const int64_t B = x.size(0), C = x.size(1), p = proj->options.kernel_size()->at(0);
  const int64_t h = x.size(2) / p, w = x.size(3) / p;
  if (C != proj->weight.size(1) || h * p != x.size(2) || w * p != x.size(3))
    throw std::invalid_argument("PatchEmbed: expected [B, " + std::to_string(proj->weight.size(1)) +
                                ", h, w] with h and w multiples of the patch " + std::to_string(p));
  auto patches = x.reshape({B, C, h, p, w, p}).permute({0, 2, 4, 1, 3, 5}).reshape({B, h * w, C * p * p});
  return linear_rows(proj->weight.reshape({proj->weight.size(0), C * p * p}), proj->bias, patches);
}

EmbedderMLPImpl::EmbedderMLPImpl(int64_t in_dim, int64_t hidden) {
  mlp = register_module("mlp", torch::nn::Sequential(torch::nn::Linear(in_dim, hidden), torch::nn::SiLU(),
                                                     torch::nn::Linear(hidden, hidden)));
}

torch::Tensor EmbedderMLPImpl::forward(const torch::Tensor& x) {
  MacTally::add(x.size(0) * (mlp[0]->as<torch::nn::Linear>()->weight.numel() + mlp[2]->as<torch::nn::Linear>()->weight.numel()));
  return mlp->forward(x);
}

}  // namespace rflab::core
