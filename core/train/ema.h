// Exponential moving average of a module's parameters (SPEC §7.1, D16): initialised as a copy
// at step 0; after every optimiser step s with s mod every = 0, θ_ema ← decay·θ_ema + (1−decay)·θ.
#pragma once
#include <torch/torch.h>

namespace rflab::core {

class Ema {
 public:
  Ema(double decay, int64_t every) : decay_(decay), every_(every) {}
  // Copies `live`'s parameters and buffers into `shadow` (same architecture).
  static void copy(torch::nn::Module& live, torch::nn::Module& shadow);
  // Applies the update when step % every == 0; returns whether it did.
  bool after_step(int64_t step, torch::nn::Module& live, torch::nn::Module& shadow) const;
  double decay() const { return decay_; }
  int64_t every() const { return every_; }

 private:
  double decay_;
  int64_t every_;
};

}  // namespace rflab::core
