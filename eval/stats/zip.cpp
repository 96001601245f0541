#include "eval/stats/zip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "results/error.h"

namespace rflab::eval {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kSat32 = 0xffffffffu;  // "see the ZIP64 record"

// Bounds-checked little-endian reads over the archive; any overrun is a truncated file.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& where) : b_(bytes), where_(where) {}
  uint64_t le(uint64_t off, int n) const {
    need(off, uint64_t(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(static_cast<unsigned char>(b_[off + i])) << (8 * i);
    return v;
  }
  void need(uint64_t off, uint64_t n) const {
    if (off > b_.size() || n > b_.size() - off)
      throw_input_error(where_, "zip", fmt::format("{} bytes at offset {}", n, off),
                        fmt::format("a file of {} bytes (truncated or corrupt)", b_.size()));
  }
  void signature(uint64_t off, uint32_t sig, const char* what) const {
    if (le(off, 4) != sig)
      throw_input_error(where_, "zip", fmt::format("a {} at offset {}", what, off),
                        "other bytes (corrupt archive)");
  }
  [[noreturn]] void fail(const std::string& field, const std::string& expected,
                         const std::string& got) const {
    throw_input_error(where_, field, expected, got);
  }
  const std::string& bytes() const { return b_; }

 private:
  const std::string& b_;
  const std::string& where_;
};

std::string inflate_raw(const Reader& r, const char* src, uint64_t n, uint64_t out_size,
                        const std::string& name) {
  if (n > std::numeric_limits<uInt>::max() || out_size > std::numeric_limits<uInt>::max())
    r.fail("member " + name, "a deflated member under 4 GiB", fmt::format("{} bytes", out_size));
  std::string out(out_size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(src));
  zs.avail_in = uInt(n);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out_size);
  const int rc = inflate(&zs, Z_FINISH);
  const uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size)
    r.fail("member " + name, fmt::format("a deflate stream of {} bytes", out_size),
           rc == Z_STREAM_END ? fmt::format("{} bytes", produced) : "a corrupt or truncated stream");
  return out;
}

void put(std::string& s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

}  // namespace

std::vector<ZipMember> read_zip(const std::string& bytes, const std::string& where) {
  const Reader r(bytes, where);
  if (bytes.size() < 22 || bytes.compare(0, 2, "PK") != 0)
    r.fail("magic", "a zip archive (.npz) starting with PK", "other bytes");
  // The end record sits at the end, before a comment of up to 64 KiB.
  int64_t end = -1;
  for (int64_t off = int64_t(bytes.size()) - 22; off >= 0 && off >= int64_t(bytes.size()) - 22 - 65535; --off)
    if (r.le(uint64_t(off), 4) == kEndSig) {
      end = off;
      break;
    }
  if (end < 0) r.fail("zip", "an end-of-central-directory record", "none (truncated archive)");
  uint64_t count = r.le(end + 10, 2), cd_offset = r.le(end + 16, 4);
  if (count == 0xffff || cd_offset == kSat32) {
    const uint64_t loc = uint64_t(end) - 20;
    if (end < 20) r.fail("zip", "a ZIP64 end locator", "none");
    r.signature(loc, kZip64LocatorSig, "ZIP64 end locator");
    const uint64_t z64 = r.le(loc + 8, 8);
    r.signature(z64, kZip64EndSig, "ZIP64 end record");
    count = r.le(z64 + 32, 8);
    cd_offset = r.le(z64 + 48, 8);
  }

  std::vector<ZipMember> members;
  uint64_t off = cd_offset;
  for (uint64_t i = 0; i < count; ++i) {
    r.signature(off, kCentralSig, "central directory entry");
    const uint64_t flags = r.le(off + 8, 2), method = r.le(off + 10, 2);
    const uint32_t crc = uint32_t(r.le(off + 16, 4));
    uint64_t csize = r.le(off + 20, 4), usize = r.le(off + 24, 4);
    const uint64_t name_len = r.le(off + 28, 2), extra_len = r.le(off + 30, 2),
                   comment_len = r.le(off + 32, 2);
    uint64_t local = r.le(off + 42, 4);
    r.need(off + 46, name_len + extra_len);
    ZipMember m;
    m.name = bytes.substr(off + 46, name_len);
    // ZIP64 extra field: the saturated sizes/offset follow in this order.
    for (uint64_t e = off + 46 + name_len; e + 4 <= off + 46 + name_len + extra_len;) {
      const uint64_t id = r.le(e, 2), len = r.le(e + 2, 2);
      if (id == 0x0001) {
        uint64_t p = e + 4;
        if (usize == kSat32) usize = r.le(p, 8), p += 8;
        if (csize == kSat32) csize = r.le(p, 8), p += 8;
        if (local == kSat32) local = r.le(p, 8);
      }
      e += 4 + len;
    }
    if (flags & 1) r.fail("member " + m.name, "an unencrypted member", "an encrypted one");
    r.signature(local, kLocalSig, "local file header");
    const uint64_t data = local + 30 + r.le(local + 26, 2) + r.le(local + 28, 2);
    r.need(data, csize);
    if (method == 0) {
      if (csize != usize)
        r.fail("member " + m.name, "equal sizes for a stored member",
               fmt::format("{} and {}", csize, usize));
      m.data = bytes.substr(data, csize);
    } else if (method == 8) {
      m.data = inflate_raw(r, bytes.data() + data, csize, usize, m.name);
    } else {
      r.fail("member " + m.name, "compression method stored (0) or deflate (8)",
             std::to_string(method));
    }
    const uint32_t actual = uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(m.data.data()),
                                           uInt(m.data.size())));
    if (actual != crc)
      r.fail("member " + m.name, fmt::format("CRC-32 {:08x}", crc),
             fmt::format("{:08x} (corrupt data)", actual));
    members.push_back(std::move(m));
    off += 46 + name_len + extra_len + comment_len;
  }
  return members;
}

std::string write_zip_stored(const std::vector<ZipMember>& members) {
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max() - 1;
  constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: a fixed, valid date
  std::string out, central;
  for (const auto& m : members) {
    if (m.data.size() > kMax || out.size() > kMax || m.name.size() > 0xffff)
      throw std::length_error("zip: member " + m.name + " exceeds the non-ZIP64 limits");
    const uint32_t crc = uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(m.data.data()),
                                        uInt(m.data.size())));
    const uint64_t local = out.size();
    auto common = [&](std::string& s) {
      put(s, 20, 2);        // version needed
      put(s, 0, 2);         // flags
      put(s, 0, 2);         // method: stored
      put(s, 0, 2);         // time
      put(s, kDosDate, 2);  // date
      put(s, crc, 4);
      put(s, m.data.size(), 4);
      put(s, m.data.size(), 4);
      put(s, m.name.size(), 2);
      put(s, 0, 2);  // extra length
    };
    put(out, kLocalSig, 4);
    common(out);
    out += m.name;
    out += m.data;
    put(central, kCentralSig, 4);
    put(central, 20, 2);  // version made by
    common(central);
    put(central, 0, 2);  // comment length
    put(central, 0, 2);  // disk
    put(central, 0, 2);  // internal attributes
    put(central, 0, 4);  // external attributes
    put(central, local, 4);
    central += m.name;
  }
  if (out.size() > kMax || members.size() >= 0xffff)
    throw std::length_error("zip: archive exceeds the non-ZIP64 limits");
  const uint64_t cd_offset = out.size();
  out += central;
  put(out, kEndSig, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, members.size(), 2);
  put(out, members.size(), 2);
  put(out, central.size(), 4);
  put(out, cd_offset, 4);
  put(out, 0, 2);
  return out;
}

}  // namespace rflab::eval
