// When rflab's own CPU kernels (joint attention, RMSNorm, modulation, GELU backward) apply:
// every operand on the CPU in fp32, the kernels switched on, and no CPU autocast in force (a bf16
// run casts through ATen's composites, as on CUDA). Anything else takes ATen's composite of the
// same function, which each kernel's header names beside it.
//
// The switch (`rflab --reference-kernels`, set_fused_kernels(false)) runs every module through
// its ATen composite instead: for debugging a kernel and for comparing the two paths. It is a
// process setting, not part of a run's identity: both paths compute the same function to float
// rounding, and a run's provenance records which one trained it.
#pragma once
#include <torch/torch.h>

#include <initializer_list>

#include "core/util/torch_compat.h"

namespace rflab::core {

void set_fused_kernels(bool on);
bool fused_kernels();

inline bool cpu_float32(std::initializer_list<const torch::Tensor*> operands) {
  if (!fused_kernels() || compat::autocast_enabled(c10::DeviceType::CPU)) return false;
  for (const auto* t : operands)
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat32) return false;
  return true;
}

}  // namespace rflab::core
