#include "core/util/blas_environment.h"

#include <strings.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace rflab::core {

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

}  // namespace rflab::core
