// rflab-analyse: the torch-free commands of rflab (rank, scaling, report, regress compare/history), built without libtorch,
// so that a results database copied off a cluster can be analysed on any machine.
#include "experiments/command.h"

int main(int argc, char** argv) {
  return rflab::experiments::dispatch("rflab-analyse",
                                      "The analyses of rflab (rankings, scaling fits, reports) over a results database, "
                                      "without libtorch.",
                                      {argv + 1, argv + argc}, [](const rflab::experiments::GlobalFlags&) {});
}
