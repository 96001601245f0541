// Loads MM-DiT weights stored under the reference's parameter names (Stability's SD3
// checkpoints: `model.diffusion_model.*`; the golden files: `model.*`). The model shape is read
// off the tensors themselves, so a checkpoint needs no side file.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

#include "core/model/mmdit.h"
#include "core/util/precision.h"

namespace rflab::core {

// The prefix under which `tensors` holds the MM-DiT ("model.diffusion_model." or "model."),
// or throws UserError naming `source`.
std::string reference_prefix(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);

// The BackboneConfig implied by the tensor shapes under `prefix`.
BackboneConfig infer_reference_config(const std::map<std::string, torch::Tensor>& tensors, const std::string& prefix,
                                   const std::string& source);

// Copies every parameter and the position table into `model`. Missing, unexpected or
// mis-shaped tensors are a UserError naming `source` and the tensor.
void load_reference_weights(MMDiT& model, const std::map<std::string, torch::Tensor>& tensors,
                            const std::string& prefix, const std::string& source);

struct VerifyResult {
  BackboneConfig config;
  double max_abs_diff = 0;
  double max_abs_output = 0;
};

// `rflab model verify`: builds the model from a reference-format file, runs its `input.*`
// tensors (x, t, y, context) on `device` at `precision` and compares with its `output`.
VerifyResult verify_reference_file(const std::string& path, torch::Device device = torch::kCPU,
                                   Precision precision = Precision::fp32);

}  // namespace rflab::core
