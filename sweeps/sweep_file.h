// A sweep file (sweeps/*.json) read and validated: a base config, axes whose points are combined
// as a cartesian product (first axis outermost), seeds (innermost), the evaluation plan
// (results/evaluation_plan.h) and the Slurm resources (slurm_resources.h). Every error names the file, the JSON path (e.g. axes[2].values[1]) and
// what was expected; validation happens before anything is written anywhere.
//
//   { "name": "objectives-quick", "description": "...",
//     "base": { "model": { "depth": 4 }, "train.steps": 3000 },
//     "axes": [ { "key": "formulation", "values": ["rf", "v/cos"] },
//               { "generator": "paper61" },                        // the 61 formulations
//               { "generator": "depth_ladder", "depths": [2, 4] }, // or "preset": "cpu"|"paper"
//               { "grid": { "train.lr": [1e-3, 3e-4], "train.batch_size": [32, 64] } },
//               { "zip":  { "model.depth": [2, 4], "train.lr": [1e-3, 5e-4] } } ],
//     "seeds": [0, 1],                                             // or {"start": 0, "count": 2}
//     "evaluation": { ... }, "resources": { ... } }
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "results/evaluation_plan.h"
#include "sweeps/slurm_resources.h"

namespace rflab::sweeps {

// Dotted config key -> value, as one axis point sets them.
using Assignment = std::vector<std::pair<std::string, nlohmann::json>>;

struct Axis {
  std::string path;  // "axes[2]", for messages
  std::string kind;  // values | grid | zip | paper61 | depth_ladder
  std::vector<std::string> keys;    // the config keys this axis sets
  std::vector<Assignment> points;   // each already validated and canonicalised
};

struct SweepFile {
  std::string file;         // as given, for messages
  std::string name;         // "name", or the file's stem
  std::string description;
  nlohmann::json base;      // flat object of dotted keys, validated; unset keys take defaults
  std::vector<Axis> axes;
  std::vector<int64_t> seeds;       // empty: every run uses the base's train.seed
  results::EvaluationPlan evaluation;  // the "evaluation" block, validated (defaults when absent)
  SlurmResources resources;            // the "resources" block, validated (defaults when absent)
  std::string content_hash;         // sha256 of the file's canonical JSON (whitespace-blind)
};

// Validates an already parsed document; `file` names it in errors.
SweepFile parse_sweep(const nlohmann::json& doc, const std::string& file);

// Reads and parses `path` (a syntax error names the line and column), then parse_sweep.
SweepFile load_sweep(const std::string& path);

// The depth ladders of SPEC §8: "paper" = 15, 18, 24, 30, 38; "cpu" = 2, 3, 4, 6, 8.
std::vector<int64_t> depth_ladder_preset(const std::string& name);

}  // namespace rflab::sweeps
