// The runs of a study as the reports see them: each run's variant (what distinguishes its config
// from the others', the seed and the dataset excluded: seeds are repeats and datasets are part of
// the control setting), its seed, dataset and architecture, and its stored row when it has one.
// Built at the edge from a sweep's expansion or from every run of a database.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/store.h"

namespace rflab::reports {

struct StudyRun {
  std::string variant;
  int64_t seed = 0;
  std::string dataset;
  std::string config_hash;
  int depth = 0;                    // model.depth
  int64_t width = 0;                // the hidden width: model.width, or 64·depth where that is 0
  // model.backbone and model.conditioning; a stored config leaves them out at their defaults.
  std::string backbone = "mmdit", conditioning = "adaln_zero";
  int64_t batch_size = 0;           // train.batch_size
  std::optional<results::RunRow> row;  // absent: never registered (not started)
};

// Config keys that never name a variant.
bool is_repeat_key(const std::string& dotted_key);  // train.seed, data.dataset, data.root


// One StudyRun per config (canonical JSON), in the given order. The variant is the values of the
// keys that differ between the configs: the formulation by its name, the backbone and block
// design by results::architecture_name, other keys as key=value ("rf", "model.depth=4",
// "rf train.lr=0.001", "dit (adaln_zero)"); with one config, or none differing, it is the first 12
// digits of the hash. A key a stored config leaves out (one added later, at its default) counts
// as its default. Keys that follow another choice do not split variants: a key constant within
// each dataset that differs only between datasets (the shapes runs' channels), and a model.* key
// constant within each architecture that differs only between architectures (the width or depth
// a backbone sweep picks per backbone to match parameter counts).
// rows[i] is the stored row of configs[i], when registered.
std::vector<StudyRun> study_runs(const std::vector<std::string>& canonical_configs,
                                 const std::vector<std::optional<results::RunRow>>& rows);

// Every run of a database in id order, but the canaries' (results/canary.h): those measure
// commits, not variants, and `rflab regress` reads them.
std::vector<StudyRun> study_runs_of_database(const results::Store& store);

// The variants of the runs, in first-appearance order.
std::vector<std::string> variants_of(const std::vector<StudyRun>& runs);

}  // namespace rflab::reports
