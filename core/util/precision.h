// train.precision (SPEC D23): fp32, or bf16 mixed precision — autocast of the MM-DiT's matrix
// products and attention to bfloat16 while the master weights, the optimizer state, the losses
// and the RMSNorm statistics stay fp32. Autocast exists for CUDA and the CPU alike, so the bf16
// path runs (slowly) and is tested on a CPU too; rflab's fused CPU kernels step aside under it.
#pragma once
#include <torch/torch.h>

#include <string>

namespace rflab::core {

enum class Precision { fp32, bf16 };

// The config's value ("fp32" | "bf16", validated by RunConfig); logic_error on anything else.
Precision precision_named(const std::string& name);
const char* precision_name(Precision p);

// Autocast to bf16 for tensors of `device` while it lives when `precision` is bf16; nothing for
// fp32. Restores the previous state, and frees autocast's cast-weight cache when the outermost
// scope closes.
class AutocastScope {
 public:
  AutocastScope(torch::Device device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::DeviceType::CPU;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

}  // namespace rflab::core
