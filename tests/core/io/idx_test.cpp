#include "core/io/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

#include "results/atomic_file.h"
#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using namespace rflab::core;
using rflab::results::read_file;
using rflab::results::write_file_atomic;

namespace {

using rflab::testing::TempDir;


// An IDX file of uint8 with the given dims; element k has value (7k + 3) mod 256.
std::string idx_bytes(const std::vector<uint32_t>& dims) {
  std::string b = {0, 0, 0x08, static_cast<char>(dims.size())};
  size_t numel = 1;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>((d >> s) & 0xff));
    numel *= d;
  }
  for (size_t k = 0; k < numel; ++k) b.push_back(static_cast<char>((7 * k + 3) % 256));
  return b;
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

torch::Tensor expected_values(const std::vector<int64_t>& dims) {
  int64_t numel = 1;
  for (auto d : dims) numel *= d;
  return (torch::arange(numel, torch::kInt64) * 7 + 3).remainder(256).to(torch::kUInt8).reshape(dims);
}

void expect_idx_error(const std::string& path, const std::string& needle) {
  try {
    read_idx(path);
    FAIL() << "expected UserError for " << path;
  } catch (const rflab::UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

}  // namespace

TEST(Idx, ReadsPlainFile) {
  TempDir tmp;
  std::string path = tmp.path("plain.idx");
  write_file_atomic(path, idx_bytes({5, 3, 4}));
  torch::Tensor t = read_idx(path);
  EXPECT_EQ(t.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(t, expected_values({5, 3, 4})));
}

TEST(Idx, ReadsGzipFile) {
  TempDir tmp;
  std::string path = tmp.path("packed.idx.gz");
  write_gzip(path, idx_bytes({300}));
  EXPECT_TRUE(torch::equal(read_idx(path), expected_values({300})));
}

TEST(Idx, MissingFileIsUserError) {
  TempDir tmp;
  expect_idx_error(tmp.path("absent.gz"), "not found");
}

TEST(Idx, BadMagicIsUserError) {
  TempDir tmp;
  std::string path = tmp.path("magic.idx");
  write_file_atomic(path, "GIF89a not an idx file");
  expect_idx_error(path, "magic");
}

TEST(Idx, OtherElementTypeIsUserError) {
  TempDir tmp;
  std::string path = tmp.path("type.idx");
  std::string b = idx_bytes({2});
  b[2] = 0x0D;  // float
  write_file_atomic(path, b);
  expect_idx_error(path, "0x08");
}

TEST(Idx, TruncatedPlainDataIsUserError) {
  TempDir tmp;
  std::string path = tmp.path("short.idx");
  std::string b = idx_bytes({10, 10});
  write_file_atomic(path, b.substr(0, b.size() - 1));
  expect_idx_error(path, "truncated");
}

TEST(Idx, TruncatedGzipIsUserError) {
  TempDir tmp;
  std::string gz = tmp.path("full.gz");
  write_gzip(gz, idx_bytes({4000}));
  std::string bytes = read_file(gz);
  std::string path = tmp.path("cut.gz");
  write_file_atomic(path, bytes.substr(0, bytes.size() / 2));
  expect_idx_error(path, "truncated");
}

TEST(Idx, TrailingBytesAreUserError) {
  TempDir tmp;
  std::string path = tmp.path("long.idx");
  write_file_atomic(path, idx_bytes({4}) + "x");
  expect_idx_error(path, "end after 4 bytes");
}
