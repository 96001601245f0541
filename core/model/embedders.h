// The MM-DiT embedders of SPEC §9.2–9.3: patch embedding, timestep and pooled-vector MLPs,
// and the fixed 2-D sin-cos position table. Submodule names follow the reference (mmditx.py)
// so reference checkpoints load by name.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

// [cos(c_t·f), sin(c_t·f)], f_j = exp(-ln(10000)·j/(F/2)) (SPEC §9.2; cosine half first).
torch::Tensor timestep_frequencies(const torch::Tensor& c_t, int64_t frequency_dim);

// 1-D table E_D(x) = [sin(x·ω), cos(x·ω)], ω_i = 10000^{-i/(D/2)} (SPEC §9.3; sine half first).
torch::Tensor sincos_1d(const torch::Tensor& positions, int64_t dim);

// The G x G table, row-major over (row, col); each entry is [E_{H/2}(col), E_{H/2}(row)].
// Shape [G*G, H].
torch::Tensor sincos_2d_table(int64_t grid, int64_t hidden);

// Centre crop of a [G*G, H] table to an h x w patch grid, flattened row-major: [h*w, H].
torch::Tensor crop_position_table(const torch::Tensor& table, int64_t grid, int64_t h, int64_t w);

struct PatchEmbedImpl : torch::nn::Module {
  PatchEmbedImpl(int64_t in_channels, int64_t hidden, int64_t patch);
  torch::Tensor forward(const torch::Tensor& x);  // [B,C,h,w] -> [B, (h/p)(w/p), H]
  torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

// Linear(in → H) → SiLU → Linear(H → H), registered as mlp.0 / mlp.2 like the reference.
struct EmbedderMLPImpl : torch::nn::Module {
  EmbedderMLPImpl(int64_t in_dim, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential mlp{nullptr};
};
TORCH_MODULE(EmbedderMLP);

}  // namespace rflab::core
