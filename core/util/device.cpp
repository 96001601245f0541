#include "core/util/device.h"

#include <torch/cuda.h>

#include "core/util/torch_compat.h"
#include "results/error.h"

namespace rflab::core {

c10::Device device_named(const std::string& name, const std::string& field) {
  if (name != "cpu" && name != "cuda") throw_input_error("", field, "cpu or cuda", "'" + name + "'");
  if (name == "cuda" && !torch::cuda::is_available())
    throw_input_error("", field, "a CUDA device to be available",
                      "none (this libtorch build or machine has no CUDA)");
  if (name == "cpu") return c10::Device(c10::DeviceType::CPU);
  compat::full_fp32_on_cuda();
  return c10::Device(c10::DeviceType::CUDA);
}

}  // namespace rflab::core
