#include "results/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using rflab::UserError;
using rflab::results::read_file;
using rflab::results::write_file_atomic;

namespace {

using rflab::testing::TempDir;
}  // namespace

TEST(AtomicFile, RoundTripsBinaryBytesAndCreatesParents) {
  TempDir tmp;
  fs::path d = fs::path(tmp.path("atomic_rt"));
  std::string bytes("a\0b\xff\n", 5);
  std::string path = (d / "x" / "y" / "f.bin").string();
  write_file_atomic(path, bytes);
  EXPECT_EQ(read_file(path), bytes);
}

TEST(AtomicFile, ReplacesExistingFileAndLeavesNoTemporary) {
  TempDir tmp;
  fs::path d = fs::path(tmp.path("atomic_replace"));
  std::string path = (d / "f.txt").string();
  write_file_atomic(path, "old contents, longer");
  write_file_atomic(path, "new");
  EXPECT_EQ(read_file(path), "new");
  int entries = 0;
  for (auto& e : fs::directory_iterator(d)) { (void)e; ++entries; }
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, EmptyFileReadsAsEmpty) {
  TempDir tmp;
  fs::path d = fs::path(tmp.path("atomic_empty"));
  std::string path = (d / "e").string();
  write_file_atomic(path, "");
  EXPECT_EQ(read_file(path), "");
}

TEST(AtomicFile, MissingFileIsUserErrorNamingIt) {
  std::string path = "/nonexistent_rflab_dir/missing.bin";
  try {
    read_file(path);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}
