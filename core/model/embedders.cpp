#include "core/model/embedders.h"

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
  auto out = proj->forward(x);  // [B, H, h/p, w/p]
  MacTally::add(out.numel() * (proj->weight.numel() / proj->weight.size(0)));
  return out.flatten(2).transpose(1, 2);
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
