#include "experiments/invocation_clock.h"

#include "core/util/blas.h"
#include "core/util/sgemm_rate.h"

namespace rflab::experiments {

results::PhaseClock invocation_clock(std::string command, std::optional<int64_t> run_id) {
  results::PhaseClock clock(std::move(command), run_id);
  if (core::has_sgemm()) clock.set_machine_rate(core::sgemm_gflops(), core::openblas_threads(), core::openblas_core());
  return clock;
}

}  // namespace rflab::experiments
