// Expansion of a validated sweep into complete run configs: the cartesian product of the axes
// (first axis outermost) times the seeds (innermost), each merged over the base, completed with
// the schema's defaults and identified by the hash of its canonical JSON.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/run_config.h"
#include "sweeps/sweep_file.h"

namespace rflab::sweeps {

struct RunSpec {
  size_t index = 0;            // position in the expansion order
  results::RunConfig config;   // parsed and validated (the model shape and formulation included)
  std::string canonical_json;  // config.canonical_json()
  std::string config_hash;     // config.hash()
  int64_t seed = 0;            // train.seed
  Assignment varied;           // what the axes and seeds set, in axis order

  // "formulation=rf model.depth=4 train.seed=0": the varied keys, for listings and logs.
  std::string label() const;
};

// Number of runs without building them: product of axis sizes times the seed count.
size_t count_runs(const SweepFile& sweep);

// The runs in expansion order. Every config is distinct (a collision is a logic_error).
std::vector<RunSpec> expand(const SweepFile& sweep);

}  // namespace rflab::sweeps
