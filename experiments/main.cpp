// rflab: one binary, subcommands registered by experiments/cmd_*.cpp.
#include <iostream>

#include "core/util/threads.h"
#include "experiments/command.h"

int main(int argc, char** argv) {
  rflab::core::ensure_blas_environment(argv);
  return rflab::experiments::dispatch("rflab", "Rectified-flow / MM-DiT research harness.", {argv + 1, argv + argc},
                                      [](int threads) {
                                        rflab::core::configure_threads(threads > 0 ? rflab::core::threads_for(threads)
                                                                                   : rflab::core::default_threads());
                                        const std::string warn = rflab::core::reference_blas_warning();
                                        if (!warn.empty()) std::cerr << warn << "\n";
                                      });
}
