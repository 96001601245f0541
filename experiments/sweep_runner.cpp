#include "experiments/sweep_runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/model/cpu_kernel.h"
#include "experiments/conditioner.h"
#include "experiments/invocation_clock.h"
#include "experiments/progress.h"
#include "experiments/sweep_lock.h"
#include "results/error.h"

extern char** environ;

namespace rflab::experiments {

namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_signal_count{0};

void on_pool_signal(int sig) {
  g_signal = sig;
  ++g_signal_count;
}

// Installs the pool's handlers for its lifetime. No SA_RESTART, so a sleep ends at a signal.
class SignalScope {
 public:
  SignalScope() {
    g_signal = 0;
    g_signal_count = 0;
    struct sigaction sa {};
    sa.sa_handler = on_pool_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return fmt::format("worker killed by signal {} ({})", sig, strsignal(sig));
  }
  return fmt::format("worker exited with status {}", WEXITSTATUS(status));
}

// The last lines of a worker's log, for the failed run's error.
std::string log_tail(const std::string& path, size_t max_bytes = 1500) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > std::streamoff(max_bytes) ? size - std::streamoff(max_bytes) : 0;
  in.seekg(from);
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (from > 0) {
    auto nl = tail.find('\n');
    if (nl != std::string::npos) tail = tail.substr(nl + 1);
  }
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail;
}

struct Worker {
  const PlannedRun* run;
  int64_t run_id;
  int64_t start_step;
  std::string log_path;
};

pid_t spawn(const std::vector<std::string>& argv_s, const std::vector<std::string>& env_s, const std::string& log_path) {
  std::vector<char*> argv, envp;
  for (const auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env_s) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(log_path + ": open worker log: " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw std::runtime_error(std::string("fork a sweep worker: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "rflab sweep: exec of the worker failed\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

}  // namespace

namespace {
// Trains (or finds) each distinct conditioner of the queued runs once. A run whose conditioner
// cannot be made is left to fail in its own worker, with the same error in its log.
void prepare_conditioners(const std::deque<const PlannedRun*>& queue, const std::string& cache_dir, std::ostream& log) {
  std::set<std::string> seen;
  for (const auto* r : queue) {
    const auto& rc = r->spec.config;
    try {
      const std::string id = conditioner_config(rc).to_json().dump() + rc.data.dataset + ":" + rc.data.root;
      if (!seen.insert(id).second) continue;
      load_or_train_conditioner(rc, cache_dir, &log);
    } catch (const std::exception& e) {
      log << fmt::format("conditioner of run #{}: {}", r->spec.index, e.what()) << std::endl;
    }
  }
}
}  // namespace

int PoolResult::exit_code() const {
  if (stopped) return 130;
  return failed + diverged + interrupted > 0 ? 1 : 0;
}

int64_t register_sweep_runs(results::Store& store, const sweeps::SweepFile& sweep,
                            const std::vector<const sweeps::RunSpec*>& specs,
                            const results::Provenance& provenance) {
  int64_t sweep_id = 0;
  store.transaction([&] {
    sweep_id = store.register_sweep(sweep.name, sweep.file, sweep.content_hash);
    for (const auto* s : specs) {
      results::RunRecord r;
      r.config_json = s->canonical_json;
      r.config_hash = s->config_hash;
      r.seed = s->seed;
      r.provenance = provenance;
      r.sweep_id = sweep_id;
      store.register_run(r);
    }
  });
  return sweep_id;
}

namespace {
std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> ids;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    ids.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return ids;
    start = comma + 1;
  }
}

// CUDA_VISIBLE_DEVICES takes indices or UUIDs (GPU-…, MIG-…).
bool plausible_gpu_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '/') return false;
  return true;
}
}  // namespace

std::vector<std::string> sweep_gpus(const std::optional<std::string>& flag, const char* cuda_visible_devices,
                                    bool runs_on_cuda) {
  const std::string visible = cuda_visible_devices ? cuda_visible_devices : "";
  std::vector<std::string> ids;
  if (flag) {
    if (*flag == "all") {
      if (visible.empty())
        throw_input_error("", "--gpus", "CUDA_VISIBLE_DEVICES to list the GPUs for 'all'", "it unset or empty");
      ids = split_ids(visible);
    } else {
      ids = split_ids(*flag);
    }
  } else if (runs_on_cuda && visible.find(',') != std::string::npos) {
    ids = split_ids(visible);
  } else {
    return {};
  }
  const std::string field = flag ? "--gpus" : "CUDA_VISIBLE_DEVICES";
  const std::string given = "'" + (flag && *flag != "all" ? *flag : visible) + "'";
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!plausible_gpu_id(id)) throw_input_error("", field, "comma-separated GPU indices or UUIDs", given);
    if (!seen.insert(id).second) throw_input_error("", field, "each GPU once", given + " ('" + id + "' twice)");
  }
  return ids;
}

std::vector<std::string> worker_environment(const std::vector<std::string>& base, const std::string& gpu) {
  if (gpu.empty()) return base;
  std::vector<std::string> env;
  for (const auto& e : base)
    if (e.rfind("CUDA_VISIBLE_DEVICES=", 0) != 0) env.push_back(e);
  env.push_back("CUDA_VISIBLE_DEVICES=" + gpu);
  return env;
}

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

namespace {
// How a worker's exit counts, from its exit status and the status its run left in the store;
// a worker that died without recording why has its run marked failed with its log's tail.
void record_worker_exit(results::Store& store, const Worker& w, int status, PoolResult& result, Progress& progress) {
  using results::RunStatus;
  const auto row = store.run(w.run_id);
  const std::string tag = fmt::format("#{} {}", w.run->spec.index, w.run->spec.config_hash.substr(0, kHashPrefix));
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitRunBusy) {
    ++result.skipped;
    progress.log("busy   " + tag + ": another process is training it; left to that process");
  } else if (row.status == RunStatus::done) {
    ++result.done;
    progress.log("done   " + tag);
  } else if (row.status == RunStatus::diverged) {
    ++result.diverged;
    progress.log("diverged " + tag + ": " + row.error);
  } else if (row.status == RunStatus::failed) {
    ++result.failed;
    progress.log("FAILED " + tag + " (" + describe_exit(status) + "): " + row.error);
  } else if (result.stopped) {
    // Stopped by the forwarded signal: the checkpoint stays for the next `sweep run`.
    ++result.interrupted;
    if (row.status == RunStatus::running)
      store.set_status(w.run_id, RunStatus::pending, "interrupted: " + describe_exit(status));
    progress.log("stopped " + tag + " (" + describe_exit(status) + ")");
  } else {
    ++result.failed;
    const std::string error = describe_exit(status) + "; log " + w.log_path + " ends:\n" + log_tail(w.log_path);
    store.set_status(w.run_id, RunStatus::failed, error);
    progress.log("FAILED " + tag + ": " + error);
  }
}
}  // namespace

PoolResult run_pool(const SweepPlan& plan, const PoolOptions& o, std::ostream& log) {
  using results::RunStatus;
  PoolResult result;
  results::Store store(o.db_path);
  std::deque<const PlannedRun*> queue;
  double total_steps = 0, start_steps = 0;
  std::map<const PlannedRun*, int64_t> ids;
  for (const auto& r : plan.runs) {
    if (r.state == PlanState::done) {
      ++result.already_done;
      continue;
    }
    if (!should_run(r.state, o.skip_failed)) {
      ++result.skipped;
      continue;
    }
    queue.push_back(&r);
    ids[&r] = store.find_run(r.spec.config_hash).value().id;
    total_steps += static_cast<double>(r.spec.config.train.steps);
    start_steps += static_cast<double>(last_logged_step(store, ids[&r]));
  }
  // The pool's phases: the conditioners, and its own rest; the workers store their own rows.
  auto clock = invocation_clock("sweep run");
  clock.time(results::Phase::conditioner, [&] { prepare_conditioners(queue, o.cache_dir, log); });
  const auto workers_from = std::chrono::steady_clock::now();
  const int jobs = o.gpus.empty() ? o.jobs : static_cast<int>(o.gpus.size());  // one worker per GPU
  Progress progress(log, stderr_is_terminal(), "steps", total_steps, start_steps);
  progress.log(fmt::format("sweep {}: {} runs; {} done, {} to run, {} skipped; {} jobs x {} threads",
                           plan.sweep.name, plan.runs.size(), result.already_done, queue.size(),
                           result.skipped, jobs, o.threads_per_job));
  SignalScope signals;
  std::map<pid_t, Worker> active;
  std::vector<std::string> environment;
  for (char** e = environ; e && *e; ++e) environment.emplace_back(*e);
  std::map<std::string, pid_t> gpu_holder;  // GPU id -> the worker on it
  int forwarded = 0;
  double finished_steps = 0;  // steps of runs that ended, counted at their last logged step
  // The steps done are read from the store only when a line is due, or at most once a second for
  // a terminal's bar: waiting on the workers costs a waitpid every 250 ms, not a query per run.
  auto last_query = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto tick = [&](bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && (!progress.due(30) || now - last_query < std::chrono::seconds(1))) return;
    last_query = now;
    double done = finished_steps;
    for (auto& [pid, w] : active) done += static_cast<double>(last_logged_step(store, w.run_id));
    for (const auto* q : queue) done += static_cast<double>(last_logged_step(store, ids.at(q)));
    progress.update(done, fmt::format("{} running, {} queued", active.size(), queue.size()),
                    force ? 0 : 30);
  };

  while (!queue.empty() || !active.empty()) {
    if (g_signal_count > forwarded) {
      forwarded = g_signal_count;
      result.stopped = true;
      progress.log(fmt::format("{}: asking {} worker(s) to checkpoint and stop", strsignal(g_signal.load()),
                               active.size()));
      for (auto& [pid, w] : active) ::kill(pid, g_signal.load());
      queue.clear();
    }
    while (!result.stopped && static_cast<int>(active.size()) < jobs && !queue.empty()) {
      const PlannedRun* r = queue.front();
      queue.pop_front();
      std::filesystem::create_directories(r->out_dir);
      Worker w{r, ids.at(r), last_logged_step(store, ids.at(r)), r->out_dir + "/worker.log"};
      std::vector<std::string> argv = {o.exe, "--threads", std::to_string(o.threads_per_job)};
      if (!core::fused_kernels()) argv.push_back("--reference-kernels");  // the workers train as the pool was told
      argv.insert(argv.end(), {"sweep", "run-one", o.sweep_path, "--index", std::to_string(r->spec.index), "--db",
                               o.db_path, "--out-root", o.out_root, "--cache", o.cache_dir});
      std::string gpu;
      for (const auto& id : o.gpus)
        if (!gpu_holder.count(id)) {
          gpu = id;
          break;
        }
      const pid_t pid = spawn(argv, worker_environment(environment, gpu), w.log_path);
      if (!gpu.empty()) gpu_holder[gpu] = pid;
      progress.log(fmt::format("start  #{} {} {} ({}; {}log {})", r->spec.index,
                               r->spec.config_hash.substr(0, kHashPrefix), r->spec.label(),
                               r->state == PlanState::fresh ? "fresh" : "resuming",
                               gpu.empty() ? "" : "GPU " + gpu + "; ", w.log_path));
      active.emplace(pid, std::move(w));
    }
    if (active.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      tick(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      continue;
    }
    if (pid < 0) throw std::runtime_error(std::string("wait for sweep workers: ") + std::strerror(errno));
    auto it = active.find(pid);
    if (it == active.end()) continue;
    Worker w = std::move(it->second);
    active.erase(it);
    for (auto g = gpu_holder.begin(); g != gpu_holder.end(); ++g)
      if (g->second == pid) {
        gpu_holder.erase(g);
        break;
      }
    finished_steps += static_cast<double>(last_logged_step(store, w.run_id));
    record_worker_exit(store, w, status, result, progress);
    tick(true);
  }
  progress.finish();
  clock.exclude(std::chrono::duration<double>(std::chrono::steady_clock::now() - workers_from).count());
  results::record_phase_timings(store, clock, o.sweep_id);
  log << fmt::format("sweep {}: {} done now, {} already done, {} failed, {} diverged, {} interrupted, {} skipped\n",
                     plan.sweep.name, result.done, result.already_done, result.failed, result.diverged,
                     result.interrupted, result.skipped);
  return result;
}

}  // namespace rflab::experiments
