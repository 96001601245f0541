#include "core/io/png.h"

#include <stdexcept>

#include "core/io/png_codec.h"
#include "results/atomic_file.h"

namespace rflab::core {
using results::read_file;
using results::write_file_atomic;
namespace {

// Converts either accepted layout to contiguous uint8 [H,W,C].
torch::Tensor to_hwc_u8(const std::string& path, const torch::Tensor& image) {
  if (image.dim() != 3)
    throw std::invalid_argument("write_png(" + path + "): expected a 3-d image, got " +
                                std::to_string(image.dim()) + " dims");
  if (image.scalar_type() == torch::kUInt8) {
    int64_t c = image.size(2);
    if (c != 1 && c != 3 && c != 4)
      throw std::invalid_argument("write_png(" + path + "): uint8 image must be [H,W,C] with C in {1,3,4}");
    return image.to(torch::kCPU).contiguous();
  }
  if (!image.is_floating_point())
    throw std::invalid_argument("write_png(" + path + "): expected a float [C,H,W] or uint8 [H,W,C] image");
  int64_t c = image.size(0);
  if (c != 1 && c != 3)
    throw std::invalid_argument("write_png(" + path + "): float image must be [C,H,W] with C in {1,3}");
  return image.detach()
      .to(torch::kCPU, torch::kFloat32)
      .clamp(0.0, 1.0)
      .mul(255.0)
      .round()
      .to(torch::kUInt8)
      .permute({1, 2, 0})
      .contiguous();
}

}  // namespace

void write_png(const std::string& path, const torch::Tensor& image) {
  torch::Tensor hwc = to_hwc_u8(path, image);
  const int h = static_cast<int>(hwc.size(0)), w = static_cast<int>(hwc.size(1)),
            c = static_cast<int>(hwc.size(2));
  const std::optional<std::string> bytes = encode_png(hwc.data_ptr<uint8_t>(), w, h, c);
  if (!bytes) throw std::runtime_error("write_png(" + path + "): PNG encoding failed");
  write_file_atomic(path, *bytes);
}

torch::Tensor read_png(const std::string& path) {
  PngPixels png = decode_png(read_file(path), path);
  return torch::from_blob(png.data.data(), {png.height, png.width, png.channels}, torch::kUInt8).clone();
}

torch::Tensor make_grid(const torch::Tensor& images, int64_t nrow, int64_t padding) {
  if (images.dim() != 4) throw std::invalid_argument("make_grid: expected [N,C,H,W] images");
  if (nrow < 1 || padding < 0) throw std::invalid_argument("make_grid: need nrow >= 1, padding >= 0");
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t cols = std::max<int64_t>(1, std::min(nrow, n));
  const int64_t rows = (n + nrow - 1) / nrow;
  torch::Tensor unit = images.detach().to(torch::kCPU, torch::kFloat32).add(1.0).div(2.0).clamp(0.0, 1.0);
  torch::Tensor grid = torch::zeros({c, rows * (h + padding) + padding, cols * (w + padding) + padding});
  for (int64_t k = 0; k < n; ++k) {
    const int64_t y = padding + (k / nrow) * (h + padding), x = padding + (k % nrow) * (w + padding);
    grid.narrow(1, y, h).narrow(2, x, w).copy_(unit[k]);
  }
  return grid;
}

}  // namespace rflab::core
