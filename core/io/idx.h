// Reader of the IDX format (the MNIST family's files), gzip-compressed or plain: magic
// 0x00 0x00 <type> <ndims>, ndims big-endian uint32 sizes, then the data in row-major order.
#pragma once
#include <torch/torch.h>

#include <string>

namespace rflab::core {

// A uint8 tensor of the file's dims. Only element type 0x08 (unsigned byte) is read. Errors
// are UserErrors naming the file: missing, not IDX (bad magic), other type, truncated data,
// or bytes after the data.
torch::Tensor read_idx(const std::string& path);

}  // namespace rflab::core
