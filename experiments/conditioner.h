// The text conditioner of a run: the run config's text.* keys mapped onto the conditioner
// mini-CLIP (eval::MiniClipConfig::conditioner()), trained on the run's dataset or loaded from the
// model cache, its text tower handed to the trainer (core/ does not depend on eval/).
#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "core/text/clip_text_tower.h"
#include "eval/mini_clip.h"
#include "results/run_config.h"

namespace rflab::experiments {

// The conditioner mini-CLIP of a complete run config. UserError naming model.context_dim /
// model.pooled_dim when they differ from its text width / embedding width.
eval::MiniClipConfig conditioner_config(const results::RunConfig& run_config);

// Loads the run's dataset, then the conditioner from cache_dir or trains and caches it; writes
// one line to `log` saying which (nullptr = silent).
core::TextConditioner load_or_train_conditioner(const results::RunConfig& run_config, const std::string& cache_dir,
                                                std::ostream* log);

}  // namespace rflab::experiments
