// `rflab sweep slurm` against a real single-node Slurm on localhost: the test writes a minimal
// slurm.conf in a temp dir, starts munged, slurmctld and slurmd as root, submits the array script
// of a tiny sweep, waits for it, merges the shards and checks the main database. Skipped, with the
// reason, where the daemons cannot be started (not root, packages missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "results/store.h"
#include "tests/e2e/e2e_util.h"

namespace rflab::e2e {
namespace {

std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

bool have(const std::string& prog) { return std::system(("command -v " + prog + " >/dev/null 2>&1").c_str()) == 0; }

std::string short_hostname() {
  char name[256] = {0};
  ::gethostname(name, sizeof name - 1);
  std::string h = name;
  return h.substr(0, h.find('.'));
}

// munged, slurmctld and slurmd on localhost, configured in `dir`; stopped (by their pid files)
// at destruction.
class LocalSlurm {
 public:
  explicit LocalSlurm(const std::string& dir) : dir_(dir) {}
  ~LocalSlurm() {
    for (const char* d : {"slurmd", "slurmctld", "munged"}) {
      const std::string pid = read_file(dir_ + "/" + d + ".pid");
      if (!pid.empty() && std::atoi(pid.c_str()) > 1) ::kill(std::atoi(pid.c_str()), SIGTERM);
    }
  }

  // Empty on success, else why the cluster could not be started.
  std::string start() {
    const int port = 20000 + (::getpid() % 10000) * 2;
    const std::string conf = dir_ + "/slurm.conf";
    fs::create_directories(dir_ + "/state");
    fs::create_directories(dir_ + "/spool");
    write_file(conf, "ClusterName=rflabtest\n"
                     "SlurmctldHost=" + short_hostname() + "(127.0.0.1)\n"
                     "SlurmUser=root\nSlurmdUser=root\n"
                     "SlurmctldPort=" + std::to_string(port) + "\nSlurmdPort=" + std::to_string(port + 1) + "\n"
                     "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" + dir_ + "/munge.sock\n"
                     "StateSaveLocation=" + dir_ + "/state\nSlurmdSpoolDir=" + dir_ + "/spool\n"
                     "SlurmctldPidFile=" + dir_ + "/slurmctld.pid\nSlurmdPidFile=" + dir_ + "/slurmd.pid\n"
                     "SlurmctldLogFile=" + dir_ + "/slurmctld.log\nSlurmdLogFile=" + dir_ + "/slurmd.log\n"
                     "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nMpiDefault=none\n"
                     "ReturnToService=2\nSchedulerType=sched/builtin\n"
                     "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
                     "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n"
                     "JobAcctGatherType=jobacct_gather/none\n"
                     "NodeName=rflabnode NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN\n"
                     "PartitionName=debug Nodes=rflabnode Default=YES MaxTime=INFINITE State=UP\n");
    ::setenv("SLURM_CONF", conf.c_str(), 1);
    const std::string key = dir_ + "/munge.key";
    if (std::system(("dd if=/dev/urandom of=" + key + " bs=1024 count=1 2>/dev/null && chmod 600 " + key).c_str()) != 0)
      return "could not write a munge key";
    if (std::system(("munged --force --socket=" + dir_ + "/munge.sock --key-file=" + key + " --pid-file=" + dir_ +
                     "/munged.pid --log-file=" + dir_ + "/munged.log --seed-file=" + dir_ + "/munged.seed")
                        .c_str()) != 0)
      return "munged did not start: " + read_file(dir_ + "/munged.log");
    if (std::system(("slurmctld -c -f " + conf).c_str()) != 0)
      return "slurmctld did not start: " + read_file(dir_ + "/slurmctld.log");
    if (std::system(("slurmd -f " + conf + " -N rflabnode").c_str()) != 0)
      return "slurmd did not start: " + read_file(dir_ + "/slurmd.log");
    if (!wait_until([] { return capture("sinfo -h -o %T 2>/dev/null").find("idle") == 0; }, 30))
      return "the node did not become idle within 30 s: " + capture("sinfo 2>&1") + read_file(dir_ + "/slurmctld.log");
    return "";
  }

 private:
  std::string dir_;
};

TEST(Slurm, ArrayOfPendingRunsMergesIntoTheMainDatabase) {
  if (::geteuid() != 0) GTEST_SKIP() << "starting munged/slurmctld/slurmd on localhost needs root";
  for (const char* p : {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"})
    if (!have(p)) GTEST_SKIP() << p << " not found; install the Debian packages munge slurmctld slurmd slurm-client";
  TempDir tmp;
  LocalSlurm slurm(tmp.path("slurm"));
  if (const std::string why = slurm.start(); !why.empty()) GTEST_SKIP() << "local Slurm unavailable: " << why;

  auto doc = tiny_sweep("slurmtiny", tiny_base(4, 2, 2), {{{"key", "formulation"}, {"values", {"rf", "v/cos"}}}});
  doc["resources"] = {{"cpus", 1}, {"time", "00:05:00"}};
  write_file(tmp.path("s.json"), doc.dump());
  const Result script = rflab({"sweep", "slurm", "s.json", "--out", "job.sbatch", "--shard-dir", "shards", "--db",
                               "main.db", "--out-root", "runs"}, tmp.path(), tmp.path());
  ASSERT_EQ(script.code, 0) << script.err;
  const std::string job = capture("cd " + tmp.path() + " && sbatch --parsable job.sbatch 2>&1");
  ASSERT_FALSE(job.empty());
  ASSERT_NE(job.find_first_of("0123456789"), std::string::npos) << "sbatch: " << job;
  const std::string id = job.substr(0, job.find_first_of(";\n"));
  ASSERT_TRUE(wait_until([&] { return capture("squeue -h -j " + id + " 2>/dev/null").empty(); }, 300))
      << capture("squeue 2>&1");

  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(fs::exists(tmp.path("shards/run-" + std::to_string(i) + ".db")))
        << "task " << i << " wrote no shard; its log: "
        << read_file(tmp.path("shards/slurm-" + id + "_" + std::to_string(i) + ".out"));
  const Result merge = rflab({"results", "merge", "main.db", "shards/run-0.db", "shards/run-1.db"}, tmp.path(), tmp.path());
  ASSERT_EQ(merge.code, 0) << merge.err;
  results::Store s(tmp.path("main.db"));
  ASSERT_EQ(s.runs().size(), 2u);
  for (const auto& row : s.runs()) {
    EXPECT_EQ(row.status, results::RunStatus::done) << row.error;
    EXPECT_EQ(s.metrics(row.id, "train/loss").size(), 4u);
  }
  const Result plan = rflab({"sweep", "plan", "s.json", "--db", "main.db", "--out-root", "runs"}, tmp.path(), tmp.path());
  EXPECT_NE(plan.out.find("done 2, fresh 0"), std::string::npos) << plan.out;
}

}  // namespace
}  // namespace rflab::e2e
