// The one temporary-directory helper of the tests: a fresh folder named after the running test,
// the process and the instance, removed by the destructor, so the cleanup happens also when a failed
// assertion ends the test early. A suite's shared folder (SetUpTestSuite runs outside any test)
// takes an explicit name.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace rflab::testing {

class TempDir {
 public:
  TempDir() : TempDir(current_test_name()) {}
  explicit TempDir(const std::string& name) {
    static int instances = 0;  // several folders in one test stay apart
    dir_ = std::filesystem::temp_directory_path() /
           ("rflab_test_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(instances++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The folder itself, or `name` inside it (not created).
  std::string path(const std::string& name = "") const { return name.empty() ? dir_.string() : (dir_ / name).string(); }

 private:
  static std::string current_test_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name)
      if (c == '/') c = '_';  // parameterised tests are named "Case/3"
    return name;
  }
  std::filesystem::path dir_;
};

}  // namespace rflab::testing
