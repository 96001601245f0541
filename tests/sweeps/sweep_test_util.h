// Writes sweep-file text to a per-test temporary file and removes it afterwards.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/util/temp_dir.h"

namespace rflab::sweeps::testing {

class SweepText {
 public:
  explicit SweepText(const std::string& text, const std::string& name = "sweep.json") : path_(dir_.path(name)) {
    std::ofstream(path_) << text;
  }
  const std::string& path() const { return path_; }

 private:
  rflab::testing::TempDir dir_;
  std::string path_;
};

inline std::string shipped(const std::string& name) {
  return std::string(RFLAB_SOURCE_DIR) + "/sweeps/" + name;
}

}  // namespace rflab::sweeps::testing
