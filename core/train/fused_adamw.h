// AdamW with each parameter's update in one pass over its elements. torch::optim::AdamW (the
// composite, beside it) runs about ten ATen kernels per parameter per step — decay, two moment
// updates, square root, two divisions, the update — each a pass over the tensor and a dispatch,
// about 6% of a training step at depth 2. This computes the same update, with decoupled weight
// decay (Loshchilov & Hutter), to float rounding:
//   p ← p·(1 − lr·λ);  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
//   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
// Its state is AdamW's own (exp_avg, exp_avg_sq, step per parameter, under the same keys), so
// checkpoints are written and read exactly as before.
//
// Off the CPU (CUDA) the same update runs as a handful of multi-tensor kernels over all the
// parameters at once (ATen's _foreach_ ops, as PyTorch's foreach AdamW), instead of about ten
// kernel launches per parameter. The composite runs instead when the fused kernels are off
// (`rflab --reference-kernels`), with amsgrad, when the parameters mix devices or dtypes other
// than fp32, or when their step counts differ.
#pragma once
#include <torch/optim/adamw.h>

namespace rflab::core {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;

  // The multi-tensor route on whatever device the parameters are (the CUDA path; public so the
  // CPU tests can compare it with AdamW). False, having changed nothing, where it does not apply.
  bool step_multi_tensor();
};

}  // namespace rflab::core
