#include "core/model/vectorised.h"

#include <atomic>

namespace rflab::core {

namespace {

bool cpu_has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

std::atomic<bool> wanted{true};

}  // namespace

bool avx2_fma() { return wanted.load(std::memory_order_relaxed) && cpu_has_avx2_fma(); }

void set_avx2_fma(bool on) { wanted.store(on, std::memory_order_relaxed); }

}  // namespace rflab::core
