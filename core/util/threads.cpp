#include "core/util/threads.h"

#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
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
