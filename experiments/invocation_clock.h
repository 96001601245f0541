// The phase clock of one rflab command (results/phase_timing.h), stamped with the machine's
// sgemm rate measured as the command starts (core/util/sgemm_rate.h: four products of 2.7 GFLOP
// on the process's BLAS threads, a tenth of a second to a quarter on the machines rflab is
// measured on), so that the rate is stored beside the command's phase timings. Every command that
// stores timings (sweep run, sweep run-one, train, eval, report) starts its clock here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "results/phase_timing.h"

namespace rflab::experiments {

results::PhaseClock invocation_clock(std::string command, std::optional<int64_t> run_id = std::nullopt);

}  // namespace rflab::experiments
