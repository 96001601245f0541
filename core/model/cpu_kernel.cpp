#include "core/model/cpu_kernel.h"

#include <atomic>

namespace rflab::core {

namespace {
std::atomic<bool> g_fused{true};
}  // namespace

void set_fused_kernels(bool on) { g_fused.store(on); }

bool fused_kernels() { return g_fused.load(); }

}  // namespace rflab::core
