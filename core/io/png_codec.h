// PNG encoding and decoding of 8-bit interleaved (HWC) pixel buffers, torch-free: the one home of
// stb_image's and stb_image_write's implementations in the program. core/io/png.h wraps it for
// tensors; the torch-free front (rflab shapes) uses it directly.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rflab::core {

struct PngPixels {
  int width = 0, height = 0, channels = 0;  // channels as stored in the file: 1 to 4
  std::vector<uint8_t> data;                // height * width * channels bytes, row-major HWC
};

// The PNG file bytes of `pixels` (height x width x channels, channels 1 to 4), or nullopt when
// stb cannot encode it.
std::optional<std::string> encode_png(const uint8_t* pixels, int width, int height, int channels);

// The pixels of the PNG file bytes `bytes`; a UserError naming `path` when they are not a PNG.
PngPixels decode_png(const std::string& bytes, const std::string& path);

}  // namespace rflab::core
