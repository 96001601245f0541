#include "eval/stats/npy.h"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <cstring>
#include <limits>

#include "eval/stats/file_bytes.h"
#include "results/error.h"

namespace rflab::eval {

std::string npy_shape_text(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              ".npy decoding copies little-endian data without swapping");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// The header is a Python dict literal written by numpy's own formatter: string keys, and
// values that are a string, True/False or a tuple of integers. Nothing else is accepted.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  Header parse() {
    Header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = quoted();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          fail("descr", "a simple dtype string such as '<f8'", "a structured dtype");
        h.descr = quoted();
        seen_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        seen_shape = true;
      } else {
        fail("header", "only the keys descr, fortran_order, shape", "key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') ++pos_;
    }
    if (!seen_descr || !seen_order || !seen_shape)
      fail("header", "the keys descr, fortran_order and shape", "'" + s_ + "'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& expected,
                         const std::string& got) const {
    throw_input_error(where_, field, expected, got);
  }
  [[noreturn]] void malformed() const {
    fail("header", "a NumPy header dict", fmt::format("'{}' (unreadable at offset {})", s_, pos_));
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) malformed();
    ++pos_;
  }
  std::string quoted() {
    const char q = peek();
    if (q != '\'' && q != '"') malformed();
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) malformed();
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    if (s_.compare(pos_, 4, "True") == 0) return pos_ += 4, true;
    if (s_.compare(pos_, 5, "False") == 0) return pos_ += 5, false;
    malformed();
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (true) {
      skip_ws();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) malformed();
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) malformed();
        v = v * 10 + (s_[pos_++] - '0');
      }
      dims.push_back(v);
      skip_ws();
      if (peek() == ',') ++pos_;
      else if (peek() != ')') malformed();
    }
    ++pos_;
    return dims;
  }

  const std::string& s_;
  const std::string& where_;
  size_t pos_ = 0;
};

template <typename T>
Eigen::MatrixXd convert(const char* data, int64_t rows, int64_t cols, bool fortran_order) {
  // Element (i, j) sits at index i * cols + j (C order) or j * rows + i (Fortran order), read
  // with memcpy since the data need not be aligned for T. C order is transposed into Eigen's
  // column-major layout in 64 x 64 tiles, so that both sides stay in cache (a 2048-d covariance
  // is 32 MB).
  Eigen::MatrixXd out(rows, cols);
  auto at = [data](int64_t index) {
    T v;
    std::memcpy(&v, data + size_t(index) * sizeof(T), sizeof(T));
    return static_cast<double>(v);
  };
  if (fortran_order) {
    for (int64_t k = 0; k < rows * cols; ++k) out.data()[k] = at(k);
    return out;
  }
  constexpr int64_t kTile = 64;
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile)
      for (int64_t j = j0; j < std::min(cols, j0 + kTile); ++j)
        for (int64_t i = i0; i < std::min(rows, i0 + kTile); ++i) out(i, j) = at(i * cols + j);
  return out;
}

std::string encode(const std::string& descr, const std::vector<int64_t>& shape, const void* data,
                   size_t nbytes) {
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr,
                                 npy_shape_text(shape));
  // numpy pads so the data starts on a 64-byte boundary, with a final newline.
  const bool v2 = dict.size() + 1 + kMagicLen + 4 > 65535;
  const size_t prefix = kMagicLen + 2 + (v2 ? 4 : 2);
  const size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict.push_back('\n');
  std::string out(kMagic, kMagicLen);
  out.push_back(char(v2 ? 2 : 1));
  out.push_back(0);
  const uint32_t hlen = uint32_t(dict.size());
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(char((hlen >> (8 * i)) & 0xff));
  out += dict;
  out.append(static_cast<const char*>(data), nbytes);
  return out;
}

}  // namespace

NpyArray decode_npy(const std::string& bytes, const std::string& where) {
  if (bytes.size() < kMagicLen + 4 || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    throw_input_error(where, "magic", "a NumPy .npy file starting with \\x93NUMPY",
                      bytes.size() < kMagicLen ? "a truncated file" : "other bytes");
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    throw_input_error(where, "version", "format version 1.0, 2.0 or 3.0",
                      fmt::format("{}.{}", major, static_cast<unsigned char>(bytes[7])));
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_bytes) throw_input_error(where, "header", "a complete header", "a truncated file");
  size_t hlen = 0;
  for (size_t i = 0; i < len_bytes; ++i)
    hlen |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  const size_t data_start = 8 + len_bytes + hlen;
  if (data_start > bytes.size())
    throw_input_error(where, "header", fmt::format("{} header bytes", hlen),
                      fmt::format("a file of {} bytes (truncated)", bytes.size()));
  const Header h = HeaderParser(bytes.substr(8 + len_bytes, hlen), where).parse();

  size_t item = 0;
  if (h.descr == "<f4" || h.descr == "<i4") item = 4;
  else if (h.descr == "<f8" || h.descr == "<i8") item = 8;
  else
    throw_input_error(where, "dtype", "little-endian float32 or float64 ('<f4', '<f8'; '<i4', '<i8' for counts)",
                      "'" + h.descr + "'");
  if (h.shape.size() > 2)
    throw_input_error(where, "shape", "a 0-, 1- or 2-D array", npy_shape_text(h.shape));
  const int64_t rows = h.shape.empty() ? 1 : h.shape[0];
  const int64_t cols = h.shape.size() == 2 ? h.shape[1] : 1;
  if (cols != 0 && rows > std::numeric_limits<int64_t>::max() / 8 / cols)
    throw_input_error(where, "shape", "an array that fits in memory", npy_shape_text(h.shape));
  const size_t nbytes = size_t(rows * cols) * item;
  if (bytes.size() - data_start != nbytes)
    throw_input_error(where, "data",
                      fmt::format("{} bytes for shape {} of {}", nbytes, npy_shape_text(h.shape),
                                  h.descr),
                      fmt::format("{} bytes{}", bytes.size() - data_start,
                                  bytes.size() - data_start < nbytes ? " (truncated)" : ""));
  const char* data = bytes.data() + data_start;
  NpyArray out;
  out.shape = h.shape;
  if (h.descr == "<f4") out.values = convert<float>(data, rows, cols, h.fortran_order);
  else if (h.descr == "<f8") out.values = convert<double>(data, rows, cols, h.fortran_order);
  else if (h.descr == "<i4") out.values = convert<int32_t>(data, rows, cols, h.fortran_order);
  else out.values = convert<int64_t>(data, rows, cols, h.fortran_order);
  return out;
}

std::string encode_npy(const Eigen::MatrixXd& m) {
  const RowMajor rm = m;
  return encode("<f8", {int64_t(m.rows()), int64_t(m.cols())}, rm.data(),
                size_t(rm.size()) * sizeof(double));
}

std::string encode_npy_vector(const Eigen::VectorXd& v) {
  return encode("<f8", {int64_t(v.size())}, v.data(), size_t(v.size()) * sizeof(double));
}

std::string encode_npy_scalar_int64(int64_t value) {
  return encode("<i8", {}, &value, sizeof value);
}

Eigen::MatrixXd read_npy(const std::string& path) {
  NpyArray a = decode_npy(read_bytes(path), path);
  if (a.shape.empty())
    throw_input_error(path, "shape", "a 1-D or 2-D array", "a 0-D scalar");
  return std::move(a.values);
}

void write_npy(const std::string& path, const Eigen::MatrixXd& m) {
  write_bytes_atomic(path, encode_npy(m));
}

}  // namespace rflab::eval
