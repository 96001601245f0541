#include "core/io/safetensors.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "results/atomic_file.h"
#include "results/error.h"

namespace rflab::core {
using results::read_file;
using results::write_file_atomic;
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; this reader copies bytes as they are");

struct DtypeEntry {
  const char* name;
  torch::ScalarType type;
  size_t itemsize;
};

const std::vector<DtypeEntry>& dtypes() {
  static const std::vector<DtypeEntry> table = {
      {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
      {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
      {"U8", torch::kUInt8, 1},    {"BOOL", torch::kBool, 1}};
  return table;
}

const char* kDtypeList = "one of F32, F16, BF16, F64, I64, I32, U8, BOOL";

struct Entry {
  std::string name;
  const DtypeEntry* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

uint64_t read_u64_le(const std::string& bytes) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& j,
                  uint64_t data_size) {
  const std::string field = "tensor '" + name + "'";
  if (!j.is_object()) throw_input_error(path, field, "an object {dtype, shape, data_offsets}", j.dump());
  Entry e{name, nullptr, {}, 0, 0};

  auto dt = j.find("dtype");
  if (dt == j.end() || !dt->is_string()) throw_input_error(path, field + ".dtype", "a string", j.dump());
  for (const auto& d : dtypes())
    if (*dt == d.name) e.dtype = &d;
  if (!e.dtype) throw_input_error(path, field + ".dtype", kDtypeList, dt->get<std::string>());

  auto sh = j.find("shape");
  if (sh == j.end() || !sh->is_array()) throw_input_error(path, field + ".shape", "an array of sizes", j.dump());
  // numel is checked against the file size as it grows, so it cannot overflow.
  uint64_t numel = 1;
  for (const auto& s : *sh) {
    if (!s.is_number_unsigned()) throw_input_error(path, field + ".shape", "non-negative integers", sh->dump());
    uint64_t v = s.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw_input_error(path, field + ".shape", "sizes that fit the file", sh->dump());
    e.shape.push_back(static_cast<int64_t>(v));
    if (v != 0 && numel > data_size / v) numel = data_size + 1;  // saturate: too large anyway
    else numel *= v;
  }

  auto off = j.find("data_offsets");
  if (off == j.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
      !(*off)[1].is_number_unsigned())
    throw_input_error(path, field + ".data_offsets", "[begin, end], two non-negative integers",
                      off == j.end() ? "nothing" : off->dump());
  e.begin = (*off)[0].get<uint64_t>();
  e.end = (*off)[1].get<uint64_t>();
  if (e.end < e.begin) throw_input_error(path, field + ".data_offsets", "begin <= end", off->dump());
  if (e.end > data_size)
    throw_input_error(path, field + ".data_offsets",
                      "end within the " + std::to_string(data_size) + " data bytes (file truncated?)",
                      off->dump());
  const uint64_t expected = numel * e.dtype->itemsize;
  if (numel > data_size || e.end - e.begin != expected)
    throw_input_error(path, field,
                      "data_offsets spanning numel*itemsize bytes of shape " + sh->dump() + " " +
                          e.dtype->name,
                      std::to_string(e.end - e.begin) + " bytes");
  return e;
}

}  // namespace

Safetensors read_safetensors(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < 8)
    throw_input_error(path, "header length", "an 8-byte little-endian header length",
                      "a file of " + std::to_string(bytes.size()) + " bytes");
  const uint64_t header_len = read_u64_le(bytes);
  if (header_len > bytes.size() - 8)
    throw_input_error(path, "header length",
                      "at most the " + std::to_string(bytes.size() - 8) + " bytes after it",
                      std::to_string(header_len));
  const uint64_t data_size = bytes.size() - 8 - header_len;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + header_len);
  } catch (const nlohmann::json::parse_error& e) {
    throw_input_error(path, "header", "valid JSON", e.what());
  }
  if (!header.is_object()) throw_input_error(path, "header", "a JSON object", header.type_name());

  Safetensors out;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) throw_input_error(path, "__metadata__", "an object of strings", it->dump());
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string())
          throw_input_error(path, "__metadata__." + m.key(), "a string", m->dump());
        out.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, it.key(), *it, data_size));
  }

  std::vector<const Entry*> by_offset;
  for (const auto& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i)
    if (by_offset[i]->begin < by_offset[i - 1]->end)
      throw_input_error(path, "tensor '" + by_offset[i]->name + "'.data_offsets",
                        "no overlap with tensor '" + by_offset[i - 1]->name + "' (ends at " +
                            std::to_string(by_offset[i - 1]->end) + ")",
                        "begin " + std::to_string(by_offset[i]->begin));

  const char* data = bytes.data() + 8 + header_len;
  for (const auto& e : entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__")
      throw std::invalid_argument("write_safetensors(" + path + "): a tensor may not be named __metadata__");
    const DtypeEntry* dtype = nullptr;
    for (const auto& d : dtypes())
      if (d.type == tensor.scalar_type()) dtype = &d;
    if (!dtype)
      throw std::invalid_argument("write_safetensors(" + path + "): tensor '" + name +
                                  "' has unsupported dtype " + std::string(c10::toString(tensor.scalar_type())));
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * dtype->itemsize;
    header[name] = {{"dtype", dtype->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    contiguous.push_back(t);
  }
  std::string json = header.dump();
  // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
  json.append((8 - (8 + json.size()) % 8) % 8, ' ');

  std::string bytes;
  bytes.reserve(8 + json.size() + offset);
  uint64_t len = json.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  bytes += json;
  for (const auto& t : contiguous)
    bytes.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  write_file_atomic(path, bytes);
}

}  // namespace rflab::core
