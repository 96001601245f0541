// rflab eval and rflab validate: the evaluation protocol of SPEC §5 on a run's best checkpoint
// (or every done run of a sweep), stored in the results database in one transaction per run,
// and the validation loss of any checkpoint. All computation lives in eval/; this file finds the
// run and its checkpoint, loads the evaluators, writes the grids and prints.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "core/data/fashion_mnist.h"
#include "core/io/png.h"
#include "eval/classifier.h"
#include "eval/control_settings.h"
#include "eval/inception_v3.h"
#include "eval/mini_clip.h"
#include "eval/protocol.h"
#include "eval/stats/npy.h"
#include "eval/validation_evaluator.h"
#include "experiments/command.h"
#include "experiments/sweep_plan.h"
#include "results/error.h"
#include "results/sha256.h"
#include "results/store.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {
namespace {

constexpr const char* kDefaultDb = "results/rflab.db";
constexpr const char* kDefaultCache = "cache";

struct EvalFlags {
  std::string db, cache;
  std::string inception_weights;  // empty: no Inception FID
  uint64_t seed = 0;
  int64_t batch = 100;
  int64_t evaluator_steps = 0;  // 0: the evaluators' own step counts
  torch::Device device{torch::kCPU};
  bool quiet = false;
};

void log_line(const EvalFlags& f, const std::string& line) {
  if (!f.quiet) std::cerr << line << std::endl;
}

// The evaluators and references of one dataset folder, loaded once per command.
struct EvaluationSetup {
  eval::EvalDataset data;
  eval::Evaluators evaluators;
  std::vector<eval::ReferenceFeatures> references;
};

std::unique_ptr<EvaluationSetup> load_setup(const std::string& data_root, const EvalFlags& f) {
  auto s = std::make_unique<EvaluationSetup>();
  s->data = eval::EvalDataset::fashion_mnist(core::FashionMnist::load(data_root, 32));
  auto clip_config = eval::MiniClipConfig::evaluator();
  eval::ClassifierConfig classifier_config;
  if (f.evaluator_steps > 0) clip_config.steps = classifier_config.steps = f.evaluator_steps;
  auto progress = [&f](const std::string& what) {
    return [&f, what](int64_t step, int64_t steps, double loss) {
      if (step % std::max<int64_t>(1, steps / 10) == 0 || step == steps)
        log_line(f, fmt::format("training {} (not in the cache): step {}/{} loss {:.4f}", what, step, steps, loss));
    };
  };
  auto clip = eval::load_or_train_mini_clip(clip_config, s->data, f.cache, progress("evaluator mini-CLIP"));
  auto classifier = eval::load_or_train_classifier(classifier_config, s->data, f.cache, progress("classifier"));
  log_line(f, fmt::format("evaluator mini-CLIP {} ({})\nclassifier {} ({})", clip.path,
                          clip.from_cache ? "cached" : "trained", classifier.path,
                          classifier.from_cache ? "cached" : "trained"));
  s->evaluators.clip = clip.model;
  s->evaluators.clip_hash = clip.key;
  s->evaluators.classifier = classifier.model;
  s->evaluators.classifier_hash = classifier.key;
  if (!f.inception_weights.empty()) {
    auto inception = eval::load_inception_v3(f.inception_weights);
    inception.model->to(f.device);
    eval::InceptionV3Fid net = inception.model;
    s->evaluators.inception = eval::FeatureSpace{
        eval::kInceptionSpace, inception.sha256, [net](const torch::Tensor& x) mutable { return net->features(x, 50); }};
    log_line(f, fmt::format("Inception-v3 {} (sha256 {})", inception.path, inception.sha256.substr(0, 12)));
  }
  log_line(f, "reference features of the held-out and training images ...");
  s->references = eval::load_or_compute_references(s->evaluators, s->data, f.cache);
  for (const auto& r : s->references)
    log_line(f, fmt::format("  {}: {} ({})", r.feature_space, r.heldout_path, r.from_cache ? "cached" : "computed"));
  return s;
}

std::string best_checkpoint(const results::Store& store, int64_t run_id) {
  for (const auto& a : store.artifacts(run_id))
    if (a.kind == "best_checkpoint") {
      if (!std::filesystem::exists(a.path))
        throw UserError(fmt::format("run {}: best checkpoint {}: expected the file, got none (moved or deleted; "
                                    "re-train the run to write it again)", run_id, a.path));
      return a.path;
    }
  throw UserError(fmt::format("run {}: artifact best_checkpoint: expected the checkpoint of the lowest native EMA "
                              "validation loss (SPEC §5.2), got none; the run must finish with `rflab train` (or "
                              "`rflab sweep run`), which records it", run_id));
}

results::RunRow done_run(const results::Store& store, int64_t run_id) {
  results::RunRow run;
  try {
    run = store.run(run_id);
  } catch (const std::out_of_range&) {
    throw UserError(fmt::format("--run {}: expected the id of a run in {}, got no such run (`rflab results` lists them)",
                                run_id, store.path()));
  }
  if (run.status != results::RunStatus::done)
    throw UserError(fmt::format("--run {}: expected a done run, got status {}", run_id, results::to_string(run.status)));
  return run;
}

std::string cell(const std::map<std::string, double>& m, const std::string& k, const char* fmt_spec = "{:.4f}") {
  auto it = m.find(k);
  return it == m.end() ? "-" : fmt::format(fmt::runtime(fmt_spec), it->second);
}

void print_table(const std::vector<results::EvaluationRow>& rows, int64_t run_id, int64_t step, int64_t n) {
  std::vector<std::pair<std::string, std::string>> order;  // (setting, weights) as first seen
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> by;
  for (const auto& r : rows) {
    auto key = std::make_pair(r.setting, r.weights);
    if (!by.count(key)) order.push_back(key);
    by[key][r.metric] = r.value;
  }
  std::cout << fmt::format("run {}, checkpoint step {}, N = {} (compare figures only at equal N)\n", run_id, step, n);
  std::cout << fmt::format("{:<8} {:<4} {:>5} {:>4} {:>9} {:>9} {:>8} {:>9} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>7}\n",
                           "setting", "wts", "steps", "cfg", "clip_fid", "clip_kid", "clip_sc", "class_fd", "prec",
                           "recall", "dens", "cover", "acc", "NFE", "seconds");
  for (const auto& key : order) {
    if (key.first == eval::kValSetting) continue;
    const auto& m = by[key];
    int steps = 0;
    double cfg = 0;
    for (const auto& r : rows)
      if (r.setting == key.first && r.weights == key.second) steps = r.steps, cfg = r.cfg;
    std::cout << fmt::format("{:<8} {:<4} {:>5} {:>4} {:>9} {:>9} {:>8} {:>9} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>7}\n",
                             key.first, key.second, steps, cfg, cell(m, "clip_fid"), cell(m, "clip_kid", "{:.5f}"),
                             cell(m, "clip_score"), cell(m, "classifier_fd"), cell(m, "precision", "{:.3f}"),
                             cell(m, "recall", "{:.3f}"), cell(m, "density", "{:.3f}"), cell(m, "coverage", "{:.3f}"),
                             cell(m, "class_accuracy", "{:.3f}"), cell(m, "network_evals", "{:.0f}"),
                             cell(m, "wall_seconds", "{:.1f}"));
    if (m.count("inception_fid")) std::cout << fmt::format("{:>24} inception_fid {:.4f}\n", "", m.at("inception_fid"));
  }
  for (const auto& key : order)
    if (key.first == eval::kValSetting)
      std::cout << fmt::format("validation loss ({} weights): native {:.5f}, velocity {:.5f}\n", key.second,
                               by[key].at("val/native"), by[key].at("val/velocity"));
}

// Evaluates one done run and stores everything in one transaction; returns the rows.
void evaluate_run(results::Store& store, int64_t run_id, const eval::EvaluationPlan& plan, const EvalFlags& f,
                  std::map<std::string, std::unique_ptr<EvaluationSetup>>& setups) {
  done_run(store, run_id);
  const std::string path = best_checkpoint(store, run_id);
  const auto ck = core::read_checkpoint(path);
  const std::string root = ck.meta.config.at("data").at("root").get<std::string>();
  if (!setups.count(root)) setups[root] = load_setup(root, f);
  const auto& setup = *setups.at(root);

  eval::ProtocolOptions o;
  o.plan = plan;
  o.seed = f.seed;
  o.batch = f.batch;
  o.device = f.device;
  o.log = [&f, run_id](const std::string& line) { log_line(f, fmt::format("run {}: {}", run_id, line)); };
  log_line(f, fmt::format("run {}: evaluating {} (step {})", run_id, path, ck.meta.step));
  auto result = eval::evaluate_checkpoint(ck, path, run_id, setup.data, setup.evaluators, setup.references, o);
  for (const auto& w : plan.weights) {
    auto v = eval::validate_checkpoint(ck, w, path, f.device);
    auto rows = eval::validation_rows(v, run_id);
    result.rows.insert(result.rows.end(), rows.begin(), rows.end());
  }
  std::vector<results::ArtifactRow> artifacts;
  const auto out_dir = std::filesystem::path(path).parent_path();
  for (const auto& g : result.grids) {
    const std::string png = (out_dir / fmt::format("eval-{}-{}.png", g.setting, g.weights)).string();
    core::write_png(png, g.image);
    artifacts.push_back({run_id, png, results::sha256_file(png), "eval_grid"});
  }
  // Per-sample figures, so that reports can resample the evaluation set (rank intervals with one seed).
  std::set<std::string> references;
  for (const auto& p : result.per_sample) {
    const std::string npy = (out_dir / fmt::format("samples-{}-{}.npy", p.setting, p.weights)).string();
    eval::write_npy(npy, p.clip);
    artifacts.push_back({run_id, npy, results::sha256_file(npy), "clip_samples"});
    if (references.insert(p.reference_path).second)
      artifacts.push_back({run_id, p.reference_path, results::sha256_file(p.reference_path), "clip_reference"});
  }
  eval::record_evaluation(store, result.rows, artifacts);
  print_table(result.rows, run_id, result.checkpoint_step, plan.samples);
  std::cout << fmt::format("{} rows and {} sample grids stored in {}\n\n", result.rows.size(), artifacts.size(),
                           store.path());
}

// True when every (setting, weights) of the plan has its CLIP-FID row at the plan's N.
bool already_evaluated(const results::Store& store, int64_t run_id, const eval::EvaluationPlan& plan) {
  std::set<std::pair<std::string, std::string>> have;
  for (const auto& r : store.evaluations(run_id))
    if (r.metric == "clip_fid" && r.n == plan.samples) have.insert({r.setting, r.weights});
  for (const auto& s : plan.settings)
    for (const auto& w : plan.weights)
      if (!have.count({s.name, w})) return false;
  return true;
}

torch::Device device_flag(Args& args) {
  const std::string device = args.get_or("device", "cpu");
  if (device != "cpu" && device != "cuda") throw UsageError("--device: expected cpu or cuda, got '" + device + "'");
  if (device == "cuda" && !torch::cuda::is_available())
    throw UserError("--device: expected a CUDA device to be available, got none (this libtorch build or machine has no CUDA)");
  return device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

int eval_cmd(Args& args) {
  EvalFlags f;
  f.db = args.get_or("db", kDefaultDb);
  f.cache = args.get_or("cache", kDefaultCache);
  f.inception_weights = args.get_or("inception-weights", "");
  const int64_t seed = args.get_int("seed", 0);
  f.batch = args.get_int("batch", 100);
  f.evaluator_steps = args.get_int("evaluator-steps", 0);
  f.device = device_flag(args);
  f.quiet = args.has_switch("quiet");
  const auto run = args.get("run");
  const auto sweep = args.get("sweep");
  const auto samples = args.get("samples");
  const auto settings = args.get("settings");
  const auto weights = args.get("weights");
  args.finish();
  if (seed < 0) throw UsageError("--seed: expected a non-negative integer");
  f.seed = static_cast<uint64_t>(seed);
  if (f.batch < 1) throw UsageError("--batch: expected a positive integer");
  if (f.evaluator_steps < 0) throw UsageError("--evaluator-steps: expected a positive integer");
  if (run.has_value() == sweep.has_value()) throw UsageError("expected exactly one of --run ID and --sweep FILE");

  if (sweep) {
    if (samples || settings || weights)
      throw UsageError("--sweep takes its settings, weights and samples from the file's \"evaluation\" block");
    const auto file = sweeps::load_sweep(*sweep);
    const auto plan = eval::parse_evaluation_plan(file.evaluation, *sweep);
    if (!std::filesystem::exists(f.db)) throw UserError(f.db + ": expected the results database of the sweep, got no file");
    const auto sweep_plan = plan_sweep(file, f.db, "runs");
    results::Store store(f.db);
    std::map<std::string, std::unique_ptr<EvaluationSetup>> setups;
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
      evaluate_run(store, r.row->id, plan, f, setups);
      ++evaluated;
    }
    std::cout << fmt::format("sweep {}: {} runs evaluated, {} already evaluated at N = {}, {} not done\n", file.name,
                             evaluated, skipped, plan.samples, not_done);
    return 0;
  }

  eval::EvaluationPlan plan;
  if (samples) {
    try {
      plan.samples = std::stoll(*samples);
    } catch (const std::exception&) {
      throw UsageError("--samples: expected an integer, got '" + *samples + "'");
    }
    if (plan.samples < 10) throw UsageError("--samples: expected an integer >= 10 (one sample per class at least)");
  }
  if (settings) plan.settings = eval::control_settings_named(*settings, "--settings");
  if (weights) plan.weights = eval::parse_weights_list(*weights, "--weights");
  int64_t run_id = 0;
  try {
    size_t used = 0;
    run_id = std::stoll(*run, &used);
    if (used != run->size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw UserError("--run " + *run + ": expected a run id (an integer; `rflab results` lists them)");
  }
  if (!std::filesystem::exists(f.db)) throw UserError(f.db + ": expected a results database, got no file (--db PATH)");
  results::Store store(f.db);
  std::map<std::string, std::unique_ptr<EvaluationSetup>> setups;
  evaluate_run(store, run_id, plan, f, setups);
  return 0;
}

int validate_cmd(Args& args) {
  auto checkpoint = args.get("checkpoint");
  const std::string weights = args.get_or("weights", "ema");
  const auto device = device_flag(args);
  args.finish();
  if (!checkpoint) throw UsageError("--checkpoint PATH is required");
  if (weights != "ema" && weights != "raw") throw UsageError("--weights: expected ema or raw, got '" + weights + "'");
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
    "                  [--evaluator-steps N] [--quiet]\n"
    "       rflab eval --sweep FILE [--db PATH] [--cache DIR] [--inception-weights FILE] [--seed S] [--device cpu|cuda]\n\n"
    "Generates N samples per control setting (S1-S6: steps and CFG of SPEC §5.3) and weights kind\n"
    "from the run's best checkpoint (lowest native EMA validation loss). Caption i is the prompt of\n"
    "class i mod 10 and sample i has noise (seed, i). Stores CLIP-FID, KID and CLIP score on the\n"
    "evaluator mini-CLIP, FD, precision/recall, density/coverage and class accuracy on the\n"
    "classifier, network evaluations and seconds, the noise floor (setting real: training images\n"
    "vs the held-out reference at the same N) and the validation losses (setting val), all in one\n"
    "transaction; re-running replaces. FD is biased at small N: compare figures only at equal N.\n"
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
