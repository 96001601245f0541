// Which process trains a run: an exclusive advisory lock (flock) on <out_dir>/run.lock, held by
// `sweep run-one` for the whole run and released by the kernel when the process dies, even by
// kill -9. Two pools (or a pool and a Slurm task) never train one run at once, and `sweep status`
// tells a live run from one whose process is gone.
#pragma once
#include <optional>
#include <string>

namespace rflab::experiments {

// Exit status of `sweep run-one` when another process holds the run's lock (EX_TEMPFAIL).
constexpr int kExitRunBusy = 75;

class RunLock {
 public:
  // Creates out_dir if needed; nullopt when another process holds the lock.
  static std::optional<RunLock> try_acquire(const std::string& out_dir);
  RunLock(RunLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

// True when a live process holds the run's lock; reads only.
bool run_is_locked(const std::string& out_dir);

}  // namespace rflab::experiments
