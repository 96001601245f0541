#include "core/io/idx.h"

#include <zlib.h>

#include <filesystem>
#include <memory>

#include "results/error.h"

namespace rflab::core {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; returns how many were read. A damaged gzip stream is an error, a short
// read is left to the caller, which knows what was expected.
size_t read_some(const std::string& path, gzFile f, void* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    int got = gzread(f, static_cast<char*>(out) + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw_input_error(path, "", "a readable gzip or IDX file", msg ? msg : "a read error");
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

}  // namespace

torch::Tensor read_idx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw UserError(path + ": file not found");
  // gzopen reads plain files through unchanged, so one path handles both forms.
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw UserError(path + ": cannot open for reading");
  gzbuffer(f.get(), 1 << 20);

  unsigned char magic[4];
  if (read_some(path, f.get(), magic, 4) != 4 || magic[0] != 0 || magic[1] != 0)
    throw_input_error(path, "magic", "an IDX file (bytes 0x00 0x00 type ndims), gzip-compressed or not",
                      "other bytes");
  if (magic[2] != 0x08)
    throw_input_error(path, "element type", "0x08 (unsigned byte)", std::to_string(magic[2]));
  const int ndims = magic[3];
  if (ndims < 1) throw_input_error(path, "ndims", "at least 1", "0");

  std::vector<int64_t> dims(ndims);
  uint64_t numel = 1;
  for (int i = 0; i < ndims; ++i) {
    unsigned char b[4];
    if (read_some(path, f.get(), b, 4) != 4)
      throw_input_error(path, "dims", std::to_string(ndims) + " big-endian sizes", "a truncated header");
    dims[i] = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | b[3];
    numel *= static_cast<uint64_t>(dims[i]);
    if (numel > (uint64_t{1} << 36))
      throw_input_error(path, "dims", "a size below 64 GiB", "dims multiplying beyond it");
  }

  torch::Tensor out = torch::empty(dims, torch::kUInt8);
  const size_t got = read_some(path, f.get(), out.data_ptr(), numel);
  if (got != numel)
    throw_input_error(path, "data", std::to_string(numel) + " bytes of data (file truncated?)",
                      std::to_string(got) + " bytes");
  unsigned char extra;
  if (read_some(path, f.get(), &extra, 1) != 0)
    throw_input_error(path, "data", "the file to end after " + std::to_string(numel) + " bytes of data",
                      "more bytes");
  return out;
}

}  // namespace rflab::core
