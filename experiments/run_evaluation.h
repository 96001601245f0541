// The evaluation of one done run under the protocol of SPEC §5, shared by `rflab eval` and
// `rflab regress run`: the run's best checkpoint (lowest native EMA validation loss) is sampled
// under every control setting and weights kind of a plan and scored, and every figure, grid and
// per-sample file is stored in one transaction. All computation lives in eval/.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/data/shapes/prompts.h"
#include "experiments/invocation_clock.h"
#include "experiments/sweep_plan.h"
#include "results/evaluation_plan.h"
#include "results/store.h"

namespace rflab::experiments {

struct EvalOptions {
  std::string cache = kDefaultCache;  // evaluator networks and reference features
  std::string inception_weights;  // empty: no Inception FID
  uint64_t seed = 0;              // sample i has noise (seed, i)
  int64_t batch = 100;
  int64_t evaluator_steps = 0;    // 0: the evaluators' own step counts
  torch::Device device{torch::kCPU};
  bool quiet = false;             // no progress lines on stderr
  bool print_table = true;        // each run's figures on stdout
  // Shapes runs: the prompt set of prompt following (shapes::prompt_set(seed, per category)).
  uint64_t prompt_seed = 0;
  int prompts_per_category = shapes::kDefaultPromptsPerCategory;
};

struct EvaluationSetup;  // the evaluators and references of one dataset

// Loads the evaluators and references of a dataset once, on its first run, and keeps the phase
// timings (evaluator training, reference features, sampling, metrics, validation) of its calls.
class RunEvaluator {
 public:
  explicit RunEvaluator(EvalOptions options);
  ~RunEvaluator();
  // Throws UserError when the run is not done or its best checkpoint is missing.
  void evaluate(results::Store& store, int64_t run_id, const results::EvaluationPlan& plan);
  // Stores the timings so far (the rest of the invocation under `sweep_id` when given).
  void record_timings(results::Store& store, std::optional<int64_t> sweep_id = std::nullopt) const;

 private:
  EvalOptions options_;
  std::map<std::string, std::unique_ptr<EvaluationSetup>> setups_;
  results::PhaseClock clock_ = invocation_clock("eval");
};

// True when every (setting, weights) of the plan has its CLIP-FID row at the plan's N.
bool already_evaluated(const results::Store& store, int64_t run_id, const results::EvaluationPlan& plan);

// The run `run_id` of the store when it is done; UserError naming the flag otherwise.
results::RunRow done_run(const results::Store& store, int64_t run_id);

}  // namespace rflab::experiments
