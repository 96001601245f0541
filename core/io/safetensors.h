// Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}} with an optional "__metadata__" string map, then
// the raw little-endian tensor bytes. Every malformed file is a UserError naming the file.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

namespace rflab::core {

struct Safetensors {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Tensors come back in their stored dtype, contiguous, on the CPU. Dtypes: F32, F16, BF16,
// F64, I64, I32, U8, BOOL.
Safetensors read_safetensors(const std::string& path);

// Written atomically (write_file_atomic), tensors in name order, header padded to 8 bytes.
// A tensor of another dtype, or a tensor named "__metadata__", is std::invalid_argument.
void write_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace rflab::core
