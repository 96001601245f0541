// When rflab's own CPU kernels (joint attention, RMSNorm, modulation, GELU backward) apply:
// every operand on the CPU in fp32. Anything else takes ATen's composite of the same function.
#pragma once
#include <torch/torch.h>

#include <initializer_list>

namespace rflab::core {

inline bool cpu_float32(std::initializer_list<const torch::Tensor*> operands) {
  for (const auto* t : operands)
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat32) return false;
  return true;
}

}  // namespace rflab::core
