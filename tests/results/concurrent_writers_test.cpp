// Several processes, each with its own connection, write one database file at once. With WAL,
// a busy timeout and IMMEDIATE write transactions none may fail with "database is locked" and
// no row may be lost.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "results/store.h"
#include "tests/results/store_test_util.h"

namespace rflab::results {
namespace {

constexpr int kProcesses = 6;
constexpr int kSteps = 150;

// Child body: returns the exit status; never returns into GoogleTest.
int write_metrics(const std::string& path, int64_t own_run, int64_t shared_run, int worker) {
  try {
    Store s(path);  // opened after fork: SQLite connections must not cross a fork
    for (int step = 0; step < kSteps; ++step) {
      s.append_metrics(own_run, step, {{"loss", step * 0.5}, {"lr", 1e-4}, {"worker", double(worker)}});
      s.append_metrics(shared_run, int64_t(worker) * kSteps + step, {{"loss", double(worker)}});
      if (step % 50 == 0) s.set_status(own_run, RunStatus::running);
    }
    s.set_status(own_run, RunStatus::done);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker %d: %s\n", worker, e.what());
    return 1;
  }
}

TEST(ConcurrentWriters, NoLockFailureAndNoLostRow) {
  testing::TempDir tmp;
  const std::string path = tmp.path("shared.sqlite");
  std::vector<int64_t> own(kProcesses);
  int64_t shared = 0;
  {
    Store s(path);
    shared = s.register_run({"{}", "shared", 0, {}, std::nullopt});
    for (int w = 0; w < kProcesses; ++w)
      own[w] = s.register_run({"{}", "run" + std::to_string(w), w, {}, std::nullopt});
  }
  std::vector<pid_t> children;
  for (int w = 0; w < kProcesses; ++w) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) _exit(write_metrics(path, own[w], shared, w));
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed (see stderr)";
  }
  Store s(path);
  for (int w = 0; w < kProcesses; ++w) {
    EXPECT_EQ(s.metrics(own[w]).size(), size_t(3 * kSteps)) << "worker " << w;
    EXPECT_EQ(s.run(own[w]).status, RunStatus::done);
  }
  EXPECT_EQ(s.metrics(shared).size(), size_t(kProcesses * kSteps));
}

// Several processes opening a brand-new file at once all see one migrated schema.
TEST(ConcurrentWriters, SimultaneousFirstOpenMigratesOnce) {
  testing::TempDir tmp;
  const std::string path = tmp.path("fresh.sqlite");
  std::vector<pid_t> children;
  for (int w = 0; w < kProcesses; ++w) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int rc = 0;
      try {
        Store s(path);
        s.register_run({"{}", "same", 0, {}, std::nullopt});
      } catch (const std::exception& e) {
        std::fprintf(stderr, "opener %d: %s\n", w, e.what());
        rc = 1;
      }
      _exit(rc);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  Store s(path);
  EXPECT_EQ(s.runs().size(), 1u);
}

}  // namespace
}  // namespace rflab::results
