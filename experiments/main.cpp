// rflab: one binary, subcommands registered by experiments/cmd_*.cpp.
#include <iostream>

#include "core/model/cpu_kernel.h"
#include "core/util/threads.h"
#include "experiments/command.h"

int main(int argc, char** argv) {
  rflab::core::ensure_blas_environment(argv);
  return rflab::experiments::dispatch("rflab", "Rectified-flow / MM-DiT research harness.", {argv + 1, argv + argc},
                                      [](const rflab::experiments::GlobalFlags& global) {
                                        rflab::core::configure_threads(global.threads > 0
                                                                           ? rflab::core::threads_for(global.threads)
                                                                           : rflab::core::default_threads());
                                        rflab::core::set_fused_kernels(!global.reference_kernels);
                                        const std::string warn = rflab::core::reference_blas_warning();
                                        if (!warn.empty()) std::cerr << warn << "\n";
                                      });
}
