#include "core/util/threads.h"

#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/util/blas.h"

namespace rflab::core {

namespace {

int hardware_cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}
}  // namespace

BlasInfo blas_info() {
  BlasInfo info;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    auto base = path.substr(path.rfind('/') + 1);
    if (base.rfind("libblas", 0) == 0 || base.rfind("libopenblas", 0) == 0) {
      // /usr/lib/x86_64-linux-gnu/libblas.so.3 is an alternatives link; the maps show the target.
      info.library = path;
      if (path.find("openblas") != std::string::npos) info.is_openblas = true;
      break;
    }
  }
  if (const int n = openblas_threads()) {
    info.is_openblas = true;
    info.openblas_threads = n;
  }
  info.core = openblas_core();
  return info;
}

std::string openblas_coretype_for(const std::string& cpu_flags) {
  std::set<std::string> flags;
  std::istringstream in(cpu_flags);
  for (std::string f; in >> f;) flags.insert(f);
  auto has = [&](std::initializer_list<const char*> all) {
    for (const char* f : all)
      if (!flags.count(f)) return false;
    return true;
  };
  if (has({"avx512f", "avx512bw", "avx512vl", "avx512dq"})) return "SkylakeX";
  if (has({"avx2", "fma"})) return "Haswell";
  return "";
}

namespace {
// The "flags" line of the first processor in /proc/cpuinfo, or "".
std::string cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags", 0) == 0) return line.substr(line.find(':') + 1);
  return "";
}
}  // namespace

void ensure_blas_environment(char** argv) {
  bool changed = false;
  if (!std::getenv("OMP_WAIT_POLICY")) changed |= setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
  if (!std::getenv("OPENBLAS_THREAD_TIMEOUT")) changed |= setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0) == 0;
  const std::string core = openblas_coretype_for(cpu_flags());
  if (!std::getenv("OPENBLAS_CORETYPE") && !core.empty())
    changed |= setenv("OPENBLAS_CORETYPE", core.c_str(), 0) == 0;
  if (!changed || std::getenv("RFLAB_REEXECUTED")) return;
  setenv("RFLAB_REEXECUTED", "1", 1);
  // The resolved path, not /proc/self/exe itself, so the process keeps its name (ps, top).
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return;
  path[n] = '\0';
  execv(path, argv);
  // exec failed: carry on with the pools as they are; threads_for() then avoids 2 spinning pools.
}

bool passive_waiting() {
  const char* omp = std::getenv("OMP_WAIT_POLICY");
  const char* blas = std::getenv("OPENBLAS_THREAD_TIMEOUT");
  return omp && strcasecmp(omp, "passive") == 0 && blas && std::atoi(blas) <= 8;
}

ThreadChoice default_threads() { return threads_for(hardware_cores()); }

ThreadChoice threads_for(int n) {
  ThreadChoice t;
  t.blas_threads = n < 1 ? 1 : n;
  t.torch_threads = passive_waiting() ? t.blas_threads : 1;
  return t;
}

void configure_threads(const ThreadChoice& t) {
  if (t.torch_threads > 0) {
    torch::set_num_threads(t.torch_threads);
  }
  if (t.blas_threads > 0) {
    set_openblas_threads(t.blas_threads);
  }
}

std::string reference_blas_warning() {
  BlasInfo b = blas_info();
  if (b.is_openblas) return "";
  std::string lib = b.library.empty() ? "no BLAS library found in the process" : b.library;
  return "warning: libtorch is using the reference BLAS (" + lib +
         "); matrix products run ~25x slower. Fix: apt-get install libopenblas0-pthread "
         "(or run scripts/setup).";
}

}  // namespace rflab::core
