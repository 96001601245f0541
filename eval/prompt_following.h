// Prompt following on the `shapes` dataset (docs/shapes.md), GenEval's protocol with an exact
// detector: one image per prompt of the fixed prompt set (prompt i gets the noise of sample i
// under the evaluation seed), read back by shapes::detect, judged by shapes::satisfied, and
// summarised per category (Wilson 95% interval) and overall (the mean of the six rates, with the
// normal interval of a mean of independent rates). The figures go into the store as
// results::metric::kPromptScore and kPromptCategoryPrefix + tag, each with /low and /high.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/shapes/prompt_score.h"
#include "core/data/shapes/prompts.h"
#include "core/sampling/sampler.h"
#include "core/train/text_to_image.h"
#include "eval/eval_dataset.h"
#include "results/metric_names.h"
#include "results/store.h"

namespace rflab::eval {

using results::metric::kShapesDetectorSpace;

// Whether runs on `data` are scored for prompt following (the shapes dataset).
bool has_prompt_set(const EvalDataset& data);

struct PromptFollowing {
  shapes::PromptScore score;
  std::vector<std::vector<shapes::DetectedObject>> found;  // per prompt
  double sampling_seconds = 0, detection_seconds = 0;
};

// Generated images [N, 3, 32, 32] in [-1, 1] as the detector reads them: HWC floats in [0, 1].
std::vector<float> detector_pixels(const torch::Tensor& image);

// Samples one image per prompt with `system` and scores them.
PromptFollowing follow_prompts(core::TextToImage& system, const std::vector<shapes::Prompt>& prompts,
                               const core::SamplerOptions& options, uint64_t seed, int64_t batch = 100);

// The score's rows (no run, setting or weights yet); the evaluator hash names the detector and
// the prompt set, so figures from another prompt set are never compared.
std::vector<results::EvaluationRow> prompt_following_rows(const shapes::PromptScore& score,
                                                          const std::string& prompt_set_hash);

// sha256 hex of the detector's version and the prompt set's texts and rules.
std::string prompt_set_hash(const std::vector<shapes::Prompt>& prompts);

}  // namespace rflab::eval
