#include "core/util/precision.h"

#include <stdexcept>

#include "core/util/torch_compat.h"

namespace rflab::core {

Precision precision_named(const std::string& name) {
  if (name == "fp32") return Precision::fp32;
  if (name == "bf16") return Precision::bf16;
  throw std::logic_error("precision_named: '" + name + "' is neither fp32 nor bf16 (RunConfig validates it)");
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::bf16: return "bf16";
  }
  throw std::logic_error("precision_name: no such precision");
}

AutocastScope::AutocastScope(torch::Device device, Precision precision) {
  if (precision != Precision::bf16) return;
  active_ = true;
  device_type_ = device.type();
  was_enabled_ = compat::autocast_enabled(device_type_);
  was_dtype_ = compat::autocast_dtype(device_type_);
  compat::set_autocast(device_type_, true, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  compat::set_autocast(device_type_, was_enabled_, was_dtype_);
}

}  // namespace rflab::core
