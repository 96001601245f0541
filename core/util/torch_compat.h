// Where the libtorch APIs rflab builds against differ: Debian's 1.13 (CPU, the default build) and a
// PyTorch 2.x install (CUDA; README "On a GPU"). Every difference rflab meets lives here, so the
// rest of the sources compile unchanged against both:
//   - autocast: 1.13 and 2.0–2.3 switch it per device through set_enabled / set_cpu_enabled and
//     set_autocast_{gpu,cpu}_dtype; 2.4 replaced them with set_autocast_enabled(device_type, ...)
//     and set_autocast_dtype(device_type, ...) (the old names are deprecated, then gone).
//   - fused attention: at::scaled_dot_product_attention exists from 2.0 (flash / memory-efficient
//     kernels on CUDA); 1.13 has none, so attention there is the bmm–softmax–bmm composite.
//   - an optimiser's per-parameter state: keyed by the string form of the parameter's TensorImpl
//     pointer in 1.13 (c10::guts::to_string), by the pointer itself (void*) in later 2.x.
#pragma once
#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>

#define RFLAB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace rflab::compat {

// Whether autocast is on for tensors of `device` (CPU or CUDA).
inline bool autocast_enabled(c10::DeviceType device) {
#if RFLAB_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

inline void set_autocast(c10::DeviceType device, bool enabled, at::ScalarType dtype) {
#if RFLAB_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_dtype(device, dtype);
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

inline at::ScalarType autocast_dtype(c10::DeviceType device) {
#if RFLAB_TORCH_AT_LEAST(2, 4)
  return at::autocast::get_autocast_dtype(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
}

// Whether this libtorch has at::scaled_dot_product_attention.
constexpr bool kHasScaledDotProductAttention = RFLAB_TORCH_AT_LEAST(2, 0);

// softmax(q kᵀ / √d) v over q, k, v of [B, heads, L, d], through the fused kernels where this
// libtorch has them; nullopt-free so it compiles on both sides (callers check the flag first).
inline torch::Tensor scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k,
                                                  const torch::Tensor& v) {
#if RFLAB_TORCH_AT_LEAST(2, 0)
  return at::scaled_dot_product_attention(q, k, v);
#else
  (void)k;
  (void)v;
  TORCH_CHECK(false, "scaled_dot_product_attention needs libtorch 2.0 or later, this is ", TORCH_VERSION);
  return q;
#endif
}

// fp32 matrix products and convolutions on CUDA without TF32's 10-bit mantissa: fp32 means fp32
// (train.precision = fp32); bf16 runs choose their precision through autocast instead. Both
// releases keep these two switches (later 2.x also offer a per-backend precision setting).
inline void full_fp32_on_cuda() {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

// The key of `p` in an optimiser's state map (`optimizer.state()`), whichever type the map keys by.
template <class StateMap>
typename StateMap::key_type optimizer_state_key(const StateMap&, const torch::Tensor& p) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;  // the form c10::guts::to_string gives a pointer
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

}  // namespace rflab::compat
