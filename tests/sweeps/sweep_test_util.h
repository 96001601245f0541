// Writes sweep-file text to a per-test temporary file and removes it afterwards.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rflab::sweeps::testing {

class SweepText {
 public:
  explicit SweepText(const std::string& text, const std::string& name = "sweep.json") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info->name();
    for (char& c : test)
      if (c == '/') c = '_';  // parameterised tests are named "Case/3"
    dir_ = std::filesystem::temp_directory_path() /
           ("rflab_sweeps_" + test + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / name).string();
    std::ofstream(path_) << text;
  }
  ~SweepText() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

inline std::string shipped(const std::string& name) {
  return std::string(RFLAB_SOURCE_DIR) + "/sweeps/" + name;
}

}  // namespace rflab::sweeps::testing
