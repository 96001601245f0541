#include "results/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/util/temp_dir.h"

namespace rflab::results {
namespace {

// Vectors from FIPS 180-2 Appendix B / NIST CAVS examples.
TEST(Sha256, EmptyString) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage448Bits) {
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionA) {
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the 55/56/64-byte padding boundaries must agree between the string and the
// streamed file path, which feeds the hasher in different chunk sizes.
TEST(Sha256, FileMatchesStringAcrossPaddingBoundaries) {
  testing::TempDir tmp;
  const std::filesystem::path path = tmp.path("padding.bin");
  for (size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 70000u}) {
    std::string bytes(n, '\0');
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 131 + 7) & 0xff);
    { std::ofstream(path, std::ios::binary) << bytes; }
    EXPECT_EQ(sha256_file(path.string()), sha256_hex(bytes)) << "n=" << n;
  }
  std::filesystem::remove(path);
}

TEST(Sha256, FileOfMillionAMatchesVector) {
  testing::TempDir tmp;
  const std::filesystem::path path = tmp.path("million.bin");
  { std::ofstream(path, std::ios::binary) << std::string(1000000, 'a'); }
  EXPECT_EQ(sha256_file(path.string()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::filesystem::remove(path);
}

TEST(Sha256, MissingFileThrowsNamingPath) {
  try {
    sha256_file("/nonexistent/rflab/file.bin");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/rflab/file.bin"), std::string::npos);
  }
}

}  // namespace
}  // namespace rflab::results
