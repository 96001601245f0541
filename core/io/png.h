// PNG output of sample grids (and input, for tests). Writes are atomic: the image is encoded
// in memory, then written with write_file_atomic.
#pragma once
#include <torch/torch.h>

#include <string>

namespace rflab::core {

// image: float [C,H,W] with C = 1 or 3, values in [0,1] (clamped), or uint8 [H,W,C] with
// C = 1, 3 or 4. Any other layout is std::invalid_argument.
void write_png(const std::string& path, const torch::Tensor& image);

// uint8 [H,W,C], C the file's channel count. UserError naming the file if missing or not a PNG.
torch::Tensor read_png(const std::string& path);

// images [N,C,H,W] in [-1,1] tiled `nrow` per row (image k at row k / nrow, column k % nrow),
// `padding` black pixels between and around them. Returns float [C,H',W'] in [0,1].
torch::Tensor make_grid(const torch::Tensor& images, int64_t nrow, int64_t padding = 2);

}  // namespace rflab::core
