#include "core/io/png_codec.h"

#include "results/error.h"

// The one translation unit holding stb's implementations; static, so they cannot collide with
// another copy elsewhere in a program.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace rflab::core {
namespace {

void append_png_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace

std::optional<std::string> encode_png(const uint8_t* pixels, int width, int height, int channels) {
  std::string bytes;
  if (!stbi_write_png_to_func(append_png_bytes, &bytes, width, height, channels, pixels, width * channels))
    return std::nullopt;
  return bytes;
}

PngPixels decode_png(const std::string& bytes, const std::string& path) {
  PngPixels out;
  unsigned char* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                                static_cast<int>(bytes.size()), &out.width, &out.height,
                                                &out.channels, 0);
  if (!pixels) throw_input_error(path, "", "a PNG image", stbi_failure_reason());
  out.data.assign(pixels, pixels + size_t(out.width) * size_t(out.height) * size_t(out.channels));
  stbi_image_free(pixels);
  return out;
}

}  // namespace rflab::core
