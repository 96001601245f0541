#include "core/io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "results/atomic_file.h"
#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using namespace rflab::core;
using rflab::results::read_file;
using rflab::results::write_file_atomic;
using rflab::UserError;

namespace {

using rflab::testing::TempDir;


// A file built by hand: header JSON as given, `data_bytes` zero bytes of data.
std::string file_with_header(const std::string& json, size_t data_bytes) {
  std::string bytes(8, '\0');
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return bytes + json + std::string(data_bytes, '\0');
}

// Expects read_safetensors(path) to throw a UserError whose message contains every needle.
void expect_safetensors_error(const std::string& path, std::vector<std::string> needles) {
  try {
    read_safetensors(path);
    FAIL() << "expected UserError for " << path;
  } catch (const UserError& e) {
    needles.push_back(path);
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "'" << n << "' not in: " << e.what();
  }
}

bool bit_equal(const torch::Tensor& a, const torch::Tensor& b) {
  return a.scalar_type() == b.scalar_type() && a.sizes() == b.sizes() &&
         std::memcmp(a.contiguous().data_ptr(), b.contiguous().data_ptr(), a.numel() * a.element_size()) == 0;
}

}  // namespace

TEST(Safetensors, RoundTripsEveryDtypeBitExact) {
  TempDir tmp;
  torch::manual_seed(3);
  std::map<std::string, torch::Tensor> t;
  auto r = torch::randn({3, 5}, torch::kFloat64) * 1e3;
  t["f32"] = r.to(torch::kFloat32);
  t["f16"] = r.to(torch::kFloat16);
  t["bf16"] = r.to(torch::kBFloat16);
  t["f64"] = r;
  t["i64"] = torch::randint(-(1LL << 40), 1LL << 40, {7}, torch::kInt64);
  t["i32"] = torch::randint(-100000, 100000, {2, 2, 2}, torch::kInt32);
  t["u8"] = torch::randint(0, 256, {4, 3}, torch::kUInt8);
  t["bool"] = torch::rand({9}) > 0.5;
  t["scalar"] = torch::tensor(2.5f).reshape({});
  t["empty"] = torch::empty({0, 4});
  t["strided"] = torch::arange(12, torch::kFloat32).reshape({3, 4}).t();  // non-contiguous view
  std::string path = tmp.path("roundtrip.safetensors");
  write_safetensors(path, t, {{"config", "{\"a\":1}"}, {"note", "x"}});
  Safetensors back = read_safetensors(path);
  ASSERT_EQ(back.tensors.size(), t.size());
  for (const auto& [name, tensor] : t) {
    ASSERT_TRUE(back.tensors.count(name)) << name;
    EXPECT_TRUE(bit_equal(back.tensors.at(name), tensor)) << name;
    EXPECT_TRUE(back.tensors.at(name).is_contiguous()) << name;
  }
  EXPECT_EQ(back.metadata.at("config"), "{\"a\":1}");
  EXPECT_EQ(back.metadata.at("note"), "x");
}

TEST(Safetensors, DataStartsEightByteAligned) {
  TempDir tmp;
  std::string path = tmp.path("aligned.safetensors");
  write_safetensors(path, {{"a", torch::ones({3})}});
  std::string bytes = read_file(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + n + 12);
}

TEST(Safetensors, ShortFileIsRejected) {
  TempDir tmp;
  std::string path = tmp.path("short.safetensors");
  write_file_atomic(path, "abc");
  expect_safetensors_error(path, {"8-byte"});
}

TEST(Safetensors, HeaderLengthBeyondFileIsRejected) {
  TempDir tmp;
  std::string path = tmp.path("longheader.safetensors");
  std::string bytes = file_with_header("{}", 0);
  bytes[0] = 100;
  write_file_atomic(path, bytes);
  expect_safetensors_error(path, {"header length"});
}

TEST(Safetensors, TruncatedFileIsRejectedNamingTheTensor) {
  TempDir tmp;
  std::string path = tmp.path("truncated.safetensors");
  write_safetensors(path, {{"weight", torch::ones({4, 4})}});
  std::string bytes = read_file(path);
  write_file_atomic(path, bytes.substr(0, bytes.size() - 5));
  expect_safetensors_error(path, {"weight", "truncated"});
}

TEST(Safetensors, CorruptedHeaderIsRejected) {
  TempDir tmp;
  std::string path = tmp.path("corrupt.safetensors");
  write_safetensors(path, {{"weight", torch::ones({4})}});
  std::string bytes = read_file(path);
  bytes[8] = '[';  // the opening brace of the JSON header
  bytes[9] = '#';
  write_file_atomic(path, bytes);
  expect_safetensors_error(path, {"valid JSON"});
}

TEST(Safetensors, InconsistentShapeIsRejectedNamingTheTensor) {
  TempDir tmp;
  std::string path = tmp.path("shape.safetensors");
  write_file_atomic(path, file_with_header(
      R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 24));
  expect_safetensors_error(path, {"'w'", "numel*itemsize", "20 bytes"});
}

TEST(Safetensors, UnknownDtypeIsRejected) {
  TempDir tmp;
  std::string path = tmp.path("dtype.safetensors");
  write_file_atomic(path, file_with_header(
      R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", 8));
  expect_safetensors_error(path, {"'w'", "C64", "F32"});
}

TEST(Safetensors, OverlappingTensorsAreRejected) {
  TempDir tmp;
  std::string path = tmp.path("overlap.safetensors");
  write_file_atomic(path, file_with_header(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12));
  expect_safetensors_error(path, {"overlap", "'a'", "'b'"});
}

TEST(Safetensors, HugeShapeIsRejectedWithoutOverflow) {
  TempDir tmp;
  std::string path = tmp.path("huge.safetensors");
  write_file_atomic(path, file_with_header(
      R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", 0));
  expect_safetensors_error(path, {"'a'"});
}

TEST(Safetensors, ReadsTheGoldenReferenceFile) {
  std::string path = RFLAB_SOURCE_DIR "/tests/data/golden/mmdit_ref_d2_qknorm_16x16.safetensors";
  Safetensors st = read_safetensors(path);
  EXPECT_EQ(st.tensors.at("output").sizes(), (std::vector<int64_t>{2, 4, 16, 16}));
  EXPECT_EQ(st.tensors.at("input.x").sizes(), (std::vector<int64_t>{2, 4, 16, 16}));
  EXPECT_EQ(st.tensors.at("input.context").sizes(), (std::vector<int64_t>{2, 8, 48}));
  EXPECT_EQ(st.tensors.at("model.x_embedder.proj.weight").sizes(), (std::vector<int64_t>{128, 4, 2, 2}));
  EXPECT_EQ(st.tensors.at("output").scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::isfinite(st.tensors.at("output")).all().item<bool>());
  ASSERT_TRUE(st.metadata.count("config"));
  EXPECT_NE(st.metadata.at("config").find("\"depth\": 2"), std::string::npos);
}
