// The device a command or a run config names: "cpu" or "cuda". The one place that checks that a
// CUDA device is there before anything is written, and that turns TF32 off for the process when
// it is (fp32 stays fp32 on a GPU; bf16 runs go through autocast).
#pragma once
#include <c10/core/Device.h>

#include <string>

namespace rflab::core {

// UserError naming `field` (a flag or a config key) for a name other than cpu / cuda, and for
// cuda when this libtorch or machine has no CUDA device.
c10::Device device_named(const std::string& name, const std::string& field);

}  // namespace rflab::core
