// Helpers of the end-to-end tests: running the rflab binary (RFLAB_EXE)
// synchronously or in the background with its output captured, a tiny sweep file, and a reader
// of safetensors tensors for comparing checkpoints.
#pragma once
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/util/temp_dir.h"

namespace rflab::e2e {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

using rflab::testing::TempDir;

#ifdef RFLAB_EXE
// A copy of the rflab front in a folder of `tmp` without rflab-torch beside it: rflab as a build
// without libtorch has it.
inline std::string front_alone(const TempDir& tmp) {
  const fs::path dir = tmp.path("front-alone");
  fs::create_directories(dir);
  fs::copy_file(RFLAB_EXE, dir / "rflab", fs::copy_options::overwrite_existing);
  return (dir / "rflab").string();
}
#endif

struct Result {
  int code = -1;  // exit status, or 128 + signal
  std::string out, err;
};

// A background rflab process whose stdout and stderr go to files in `dir`.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::string& dir, const std::string& cwd = "") {
    static int counter = 0;
    const std::string stem = dir + "/proc" + std::to_string(counter++);
    out_path_ = stem + ".out";
    err_path_ = stem + ".err";
    std::vector<std::string> argv_s{RFLAB_EXE};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);  // a signal to the test's group must not reach the run under test
      const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Process() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  pid_t pid() const { return pid_; }
  Result wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    waited_ = true;
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out_path_);
    r.err = read_file(err_path_);
    return r;
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  std::string out_path_, err_path_;
};

inline Result rflab(const std::vector<std::string>& args, const std::string& dir, const std::string& cwd = "") {
  return Process(args, dir, cwd).wait();
}

// Children of `parent` by scanning /proc/*/stat.
inline std::vector<pid_t> child_pids(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(e.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// Polls `ready` every 2 ms for up to `seconds`.
template <class F>
bool wait_until(F&& ready, double seconds = 60) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// A cache folder the e2e tests share across runs: in the build directory (or the system's
// temporary folder where a test program is built without RFLAB_BINARY_DIR).
inline std::string shared_test_cache(const std::string& name) {
#ifdef RFLAB_BINARY_DIR
  return std::string(RFLAB_BINARY_DIR) + "/test-" + name;
#else
  return (fs::temp_directory_path() / ("rflab-test-" + name)).string();
#endif
}

// The model cache the e2e runs share: the tiny conditioner of tiny_base (and of sweeps/smoke.json)
// is trained once per build directory; a lock in the cache keeps parallel tests from training it twice.
inline std::string conditioner_cache() { return shared_test_cache("conditioner-cache"); }

// The evaluator cache the e2e evaluations share (their networks train once per build directory).
inline std::string eval_cache() { return shared_test_cache("eval-cache"); }

// The number of conditioner mini-CLIP steps of the tests: a tiny text tower trained in seconds.
constexpr int kTinyClipSteps = 20;

// The smallest model that trains on Fashion-MNIST in well under a second per run.
inline nlohmann::json tiny_base(int steps, int checkpoint_every, int eval_every) {
  return {{"model", {{"depth", 1}, {"width", 64}, {"heads", 1}, {"patch_size", 4}}},
          {"text", {{"max_tokens", 4}, {"clip_steps", kTinyClipSteps}}},
          {"train", {{"steps", steps}, {"batch_size", 8}, {"warmup_steps", 2}, {"checkpoint_every", checkpoint_every},
                     {"log_every", 1}}},
          {"eval", {{"every", eval_every}, {"val_size", 16}, {"samples_per_class", 0}}}};
}

inline nlohmann::json tiny_sweep(const std::string& name, const nlohmann::json& base,
                                 const nlohmann::json& axes, const nlohmann::json& seeds = {0}) {
  return {{"name", name}, {"base", base}, {"axes", axes}, {"seeds", seeds}};
}

// Every tensor of a safetensors file as raw bytes, the header's __metadata__ left out.
inline std::map<std::string, std::string> safetensors_tensors(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < 8) return {};
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  std::map<std::string, std::string> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto off = it.value().at("data_offsets");
    const size_t a = off.at(0).get<size_t>(), b = off.at(1).get<size_t>();
    out[it.key()] = bytes.substr(8 + n + a, b - a);
  }
  return out;
}

#if defined(RFLAB_EXE) && defined(RFLAB_TORCH_EXE)
// `rflab ARGS` (words without shell metacharacters) answered by the front, by rflab-torch and by
// the front alone (as a build without libtorch has it): the three outputs are equal. Returns the
// front's result.
inline Result expect_front_torch_and_alone_agree(const TempDir& tmp, const std::vector<std::string>& args) {
  std::string words;
  for (const auto& a : args) words += " " + a;
  const Result front = rflab(args, tmp.path());
  EXPECT_EQ(front.code, 0) << front.err;
  EXPECT_EQ(std::system((std::string(RFLAB_TORCH_EXE) + words + " > " + tmp.path("torch.out")).c_str()), 0);
  EXPECT_EQ(read_file(tmp.path("torch.out")), front.out);
  const std::string alone = front_alone(tmp);
  EXPECT_EQ(std::system((alone + words + " > " + tmp.path("alone.out")).c_str()), 0);
  EXPECT_EQ(read_file(tmp.path("alone.out")), front.out);
  return front;
}
#endif

}  // namespace rflab::e2e
