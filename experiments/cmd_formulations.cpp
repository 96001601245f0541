// rflab formulations list | describe: the 61 canonical training formulations and the
// definitions of any one of them (SPEC §2–§4).
#include <iostream>

#include "core/formulation/describe.h"
#include "core/formulation/formulation.h"
#include "experiments/command.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {

int formulations_list(Args& args) {
  args.finish();
  for (const auto& n : core::Formulation::registry()) std::cout << n << "\n";
  return 0;
}

int formulations_describe(Args& args) {
  const bool json = args.has_switch("json");
  const int64_t steps = args.get_int("steps", 50);
  const double shift = args.get_double("shift", 1.0);
  args.finish();
  if (args.positional().size() != 1)
    throw UsageError("expected exactly one formulation NAME (quote names with spaces, e.g. \"edm(-1.20, 1.20)\")");
  auto f = core::Formulation::parse(args.positional()[0]);
  f.set_shift(shift);
  if (json)
    std::cout << core::describe_json(f, steps).dump(2) << "\n";
  else
    std::cout << core::describe_text(f, steps);
  return 0;
}

RFLAB_COMMAND(Command{"formulations list", "print the 61 canonical formulation names, one a line",
                      "usage: rflab formulations list", formulations_list});
RFLAB_COMMAND(Command{
    "formulations describe", "a formulation's a_t, b_t, lambda_t, w_t, pi(t) and sampler grid",
    "usage: rflab formulations describe NAME [--json] [--steps N] [--shift ALPHA]\n\n"
    "Prints, at t = 0.05, 0.10, ..., 0.95 (native time), a_t, b_t, the log-SNR lambda_t, the unified\n"
    "weight w_t of SPEC 1.3 (exact constant: w = -2 pi(t) c(t) / lambda'(t)) and the training density\n"
    "pi(t), then the native and shared sampler grids for N steps (default 50): t and sigma of each level.\n"
    "--json prints the same as JSON (sigma = infinity as null). --shift applies the timestep shift alpha\n"
    "to the grids.",
    formulations_describe});

}  // namespace
}  // namespace rflab::experiments
