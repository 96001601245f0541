// rflab eval and rflab validate: the evaluation protocol of SPEC §5 on a run's best checkpoint
// (or every done run of a sweep), stored in the results database in one transaction per run,
// and the validation loss of any checkpoint. All computation lives in eval/; this file finds the
// runs and parses the flags; experiments/run_evaluation evaluates and stores.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "core/util/device.h"
#include "eval/validation_evaluator.h"
#include "experiments/command.h"
#include "experiments/run_evaluation.h"
#include "experiments/sweep_plan.h"
#include "results/error.h"
#include "results/evaluation_plan.h"
#include "results/store.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {
namespace {


torch::Device device_flag(Args& args) { return core::device_named(args.get_or("device", "cpu"), "--device"); }

// Sweep mode: every done run of the sweep not yet evaluated at the file's plan.
int evaluate_sweep(const EvalOptions& f, const std::string& sweep_path, const std::string& db) {
  const auto file = sweeps::load_sweep(sweep_path);
  const auto& plan = file.evaluation;
  if (!std::filesystem::exists(db)) throw UserError(db + ": expected the results database of the sweep, got no file");
  const auto sweep_plan = plan_sweep(file, db, kDefaultOutRoot);
  results::Store store(db);
  RunEvaluator evaluator(f);
  int evaluated = 0, skipped = 0, not_done = 0;
  for (const auto& r : sweep_plan.runs) {
    if (r.state != PlanState::done || !r.row) {
      ++not_done;
      continue;
    }
    if (already_evaluated(store, r.row->id, plan)) {
      ++skipped;
      continue;
    }
    evaluator.evaluate(store, r.row->id, plan);
    ++evaluated;
  }
  evaluator.record_timings(store, store.find_sweep(file.name, file.content_hash));
  std::cout << fmt::format("sweep {}: {} runs evaluated, {} already evaluated at N = {}, {} not done\n", file.name,
                           evaluated, skipped, plan.samples, not_done);
  return 0;
}

// Single-run mode: one run id under the plan the flags give.
int evaluate_run(const EvalOptions& f, const std::string& run, const std::string& db,
                 const results::EvaluationPlan& plan) {
  int64_t run_id = 0;
  try {
    size_t used = 0;
    run_id = std::stoll(run, &used);
    if (used != run.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw_input_error("", "--run", "a run id (an integer; `rflab results table` lists them)", "'" + run + "'");
  }
  if (!std::filesystem::exists(db)) throw UserError(db + ": expected a results database, got no file (--db PATH)");
  results::Store store(db);
  RunEvaluator evaluator(f);
  evaluator.evaluate(store, run_id, plan);
  evaluator.record_timings(store);
  return 0;
}

int eval_cmd(Args& args) {
  EvalOptions f;
  const std::string db = args.get_or("db", results::kDefaultDatabase);
  f.cache = args.get_or("cache", kDefaultCache);
  f.inception_weights = args.get_or("inception-weights", "");
  const int64_t seed = args.get_int("seed", 0);
  f.batch = args.get_int("batch", 100);
  f.evaluator_steps = args.get_int("evaluator-steps", 0);
  const int64_t prompts = args.get_int("prompts-per-category", shapes::kDefaultPromptsPerCategory);
  f.device = device_flag(args);
  f.quiet = args.has_switch("quiet");
  const auto run = args.get("run");
  const auto sweep = args.get("sweep");
  const auto samples = args.get("samples");
  const auto settings = args.get("settings");
  const auto weights = args.get("weights");
  args.finish();
  if (seed < 0) throw_input_error("", "--seed", "a non-negative integer", std::to_string(seed));
  f.seed = static_cast<uint64_t>(seed);
  if (f.batch < 1) throw_input_error("", "--batch", "a positive integer", std::to_string(f.batch));
  if (f.evaluator_steps < 0) throw_input_error("", "--evaluator-steps", "a non-negative integer", std::to_string(f.evaluator_steps));
  if (prompts < 1 || prompts > 100000)
    throw_input_error("", "--prompts-per-category", "an integer in [1, 100000]", std::to_string(prompts));
  f.prompts_per_category = static_cast<int>(prompts);
  if (run.has_value() == sweep.has_value()) throw UsageError("expected exactly one of --run ID and --sweep FILE");

  if (sweep) {
    if (samples || settings || weights)
      throw UsageError("--sweep takes its settings, weights and samples from the file's \"evaluation\" block");
    return evaluate_sweep(f, *sweep, db);
  }
  results::EvaluationPlan plan;
  if (samples) {
    try {
      plan.samples = std::stoll(*samples);
    } catch (const std::exception&) {
      throw_input_error("", "--samples", "an integer", "'" + *samples + "'");
    }
    if (plan.samples < 10)
      throw_input_error("", "--samples", "an integer >= 10 (one sample per class at least)", std::to_string(plan.samples));
  }
  if (settings) plan.settings = results::control_settings_named(*settings, "--settings");
  if (weights) plan.weights = results::parse_weights_list(*weights, "--weights");
  return evaluate_run(f, *run, db, plan);
}

int validate_cmd(Args& args) {
  auto checkpoint = args.get("checkpoint");
  const std::string weights = args.get_or("weights", "ema");
  const auto device = device_flag(args);
  args.finish();
  if (!checkpoint) throw UsageError("--checkpoint PATH is required");
  if (weights != "ema" && weights != "raw") throw_input_error("", "--weights", "ema or raw", "'" + weights + "'");
  const auto ck = core::read_checkpoint(*checkpoint);
  const auto v = eval::validate_checkpoint(ck, weights, *checkpoint, device);
  std::cout << fmt::format("{}: step {}, {} weights, |V| = {}\n", *checkpoint, v.step, weights, v.n);
  std::cout << fmt::format("{:>8}  {:>10}  {:>10}\n", "t", "native", "velocity");
  for (int k = 0; k < core::kValidationLevels; ++k)
    std::cout << fmt::format("{:>8.3f}  {:>10.5f}  {:>10.5f}\n", k / static_cast<double>(core::kValidationLevels),
                             v.loss.native[k], v.loss.velocity[k]);
  std::cout << fmt::format("{:>8}  {:>10.5f}  {:>10.5f}\n", "mean", v.loss.native_mean, v.loss.velocity_mean);
  return 0;
}

RFLAB_COMMAND(Command{
    "eval", "evaluate a run's best checkpoint under the control settings (SPEC §5)",
    "usage: rflab eval --run ID [--samples N] [--settings S1,S4] [--weights ema,raw] [--db PATH]\n"
    "                  [--cache DIR] [--inception-weights FILE] [--seed S] [--device cpu|cuda] [--batch B]\n"
    "                  [--evaluator-steps N] [--prompts-per-category K] [--quiet]\n"
    "       rflab eval --sweep FILE [--db PATH] [--cache DIR] [--inception-weights FILE] [--seed S] [--device cpu|cuda]\n"
    "                  [--prompts-per-category K]\n\n"
    "Generates N samples per control setting (S1-S6: steps and CFG of SPEC §5.3) and weights kind\n"
    "from the run's best checkpoint (lowest native EMA validation loss). Caption i is the prompt of\n"
    "class i mod 10 (shapes: the complete caption of held-out scene i) and sample i has noise\n"
    "(seed, i). Stores CLIP-FID, KID and CLIP score on the\n"
    "evaluator mini-CLIP, FD, precision/recall, density/coverage and class accuracy on the\n"
    "classifier, network evaluations and seconds, the noise floor (setting real: training images\n"
    "vs the held-out reference at the same N) and the validation losses (setting val), all in one\n"
    "transaction; re-running replaces. FD is biased at small N: compare figures only at equal N.\n"
    "Shapes runs are also scored for prompt following: one image per prompt of the fixed prompt\n"
    "set (GenEval's six categories), read by the exact detector; per category with Wilson's 95%\n"
    "interval, overall the mean of the categories (docs/shapes.md).\n"
    "Writes eval-<setting>-<weights>.png (10 samples per class row) beside the checkpoint.\n\n"
    "  --samples N          samples per setting (default 1000, the paper's)\n"
    "  --settings LIST      control settings (default S1,S2,S3,S4,S5,S6)\n"
    "  --weights LIST       ema, raw or ema,raw (default ema,raw)\n"
    "  --cache DIR          evaluator networks and reference features (default cache; trained or\n"
    "                       computed there when absent)\n"
    "  --inception-weights FILE\n"
    "                       also Inception-v3 FID (pytorch-fid weights as safetensors; reference\n"
    "                       features cached under the file's sha256; slow on a CPU)\n"
    "  --evaluator-steps N  train evaluators with N steps (quick checks; cached apart)\n"
    "  --prompts-per-category K\n"
    "                       shapes: prompts per category (default 385: a 95% interval of at most\n"
    "                       +-5 points)\n"
    "  --sweep FILE         every done run of the sweep, with the file's \"evaluation\" plan; runs\n"
    "                       already evaluated at its N are skipped",
    eval_cmd});

RFLAB_COMMAND(Command{"validate", "validation loss (SPEC §5.1) of a checkpoint's EMA or raw weights",
                      "usage: rflab validate --checkpoint PATH [--weights ema|raw] [--device cpu|cuda]\n\n"
                      "Native and velocity validation loss per level t = k/8 (k = 0..7) and their means, on\n"
                      "the run config's validation set (eval.val_size, eval.val_seed).",
                      validate_cmd});

}  // namespace
}  // namespace rflab::experiments
