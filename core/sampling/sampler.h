// The ODE sampler of SPEC §4.4: integrates from the initial noise to a clean latent on a
// formulation's grid with the DDIM/Euler step of §4.2 or a Heun correction, with guidance.
#pragma once
#include <torch/torch.h>

#include "core/formulation/formulation.h"
#include "core/sampling/guidance.h"

namespace rflab::core {

enum class Solver { euler, heun };

struct SamplerOptions {
  int64_t steps = 50;
  double cfg = 1.0;
  GridMode grid = GridMode::native;
  Solver solver = Solver::euler;
};

// eps is the initial noise (EDM families start from σ_0·eps, D9). Euler: z' = a'·x̂0 + b'·ε̂.
// Heun: Heun's method on the probability-flow ODE in RF coordinates (z/(a+b), t = b/(a+b)), where
// the velocity is ε̂ − x̂0 — the paper's ODE for rf, defined at σ = ∞ for every family — with no
// correction on the final step to the clean level (Karras). network_evals counts guided passes
// (2 per pass when cfg != 1). path_length, when given, receives each sample's path length
// Σ‖Δz_rf‖ [B]: the L2 norms (over all latent elements) of the steps in RF coordinates
// z_rf = z/(a+b), which for the Euler step is Σ‖v̂·dt‖ with v̂ = ε̂ − x̂0 (the paper's Table 6).
torch::Tensor sample(const Formulation& f, const Network& net, const torch::Tensor& eps, const Conditioning& cond,
                     const SamplerOptions& o, int64_t* network_evals = nullptr, torch::Tensor* path_length = nullptr);

}  // namespace rflab::core
