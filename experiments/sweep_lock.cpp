#include "experiments/sweep_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace rflab::experiments {

namespace {
std::string lock_path(const std::string& out_dir) { return (std::filesystem::path(out_dir) / "run.lock").string(); }
}  // namespace

std::optional<RunLock> RunLock::try_acquire(const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  const std::string path = lock_path(out_dir);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": open run lock: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw std::runtime_error(path + ": lock: " + std::strerror(err));
  }
  return RunLock(fd);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool run_is_locked(const std::string& out_dir) {
  const int fd = ::open(lock_path(out_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

}  // namespace rflab::experiments
