#include "experiments/run_evaluation.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <set>

#include "core/io/png.h"
#include "eval/classifier.h"
#include "eval/inception_v3.h"
#include "eval/mini_clip.h"
#include "eval/protocol.h"
#include "eval/stats/npy.h"
#include "eval/validation_evaluator.h"
#include "results/error.h"
#include "results/metric_names.h"
#include "results/sha256.h"

namespace rflab::experiments {

struct EvaluationSetup {
  eval::EvalDataset data;
  eval::Evaluators evaluators;
  std::vector<eval::ReferenceFeatures> references;
  std::map<std::pair<int64_t, uint64_t>, std::vector<results::EvaluationRow>> noise_floors;  // by (N, seed)
};

namespace {

void log_line(const EvalOptions& f, const std::string& line) {
  if (!f.quiet) std::cerr << line << std::endl;
}

// Runs whose evaluators and references are the same share one setup.
std::string setup_key(const results::DataConfig& d) {
  return d.dataset == "shapes" ? fmt::format("shapes seed {}", d.seed) : d.dataset + " " + d.root;
}

std::unique_ptr<EvaluationSetup> load_setup(const results::DataConfig& data, const EvalOptions& f,
                                            results::PhaseClock& clock) {
  auto s = std::make_unique<EvaluationSetup>();
  // The evaluators see images at 32x32, whatever size a run pads Fashion-MNIST to.
  auto evaluated = data;
  evaluated.image_size = 32;
  s->data = eval::EvalDataset::for_runs_on(evaluated);
  auto clip_config = eval::fitted_to(eval::MiniClipConfig::evaluator(), s->data);
  auto classifier_config = eval::fitted_to(eval::ClassifierConfig{}, s->data);
  if (f.evaluator_steps > 0) clip_config.steps = classifier_config.steps = f.evaluator_steps;
  auto progress = [&f](const std::string& what) {
    return [&f, what](int64_t step, int64_t steps, double loss) {
      if (step % std::max<int64_t>(1, steps / 10) == 0 || step == steps)
        log_line(f, fmt::format("training {} (not in the cache): step {}/{} loss {:.4f}", what, step, steps, loss));
    };
  };
  auto clip = clock.time(results::Phase::evaluator_training, [&] {
    return eval::load_or_train_mini_clip(clip_config, s->data, f.cache, progress("evaluator mini-CLIP"));
  });
  auto classifier = clock.time(results::Phase::evaluator_training, [&] {
    return eval::load_or_train_classifier(classifier_config, s->data, f.cache, progress("classifier"));
  });
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
  s->references = clock.time(results::Phase::reference_features,
                             [&] { return eval::load_or_compute_references(s->evaluators, s->data, f.cache); });
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

}  // namespace

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

namespace {

std::string cell(const std::map<std::string, double>& m, const std::string& k, const char* fmt_spec = "{:.4f}") {
  auto it = m.find(k);
  return it == m.end() ? "-" : fmt::format(fmt::runtime(fmt_spec), it->second);
}

// "prompt following 41.2% [38.9, 43.5]: single_object 90.1 [..] ..." (95% intervals).
std::string prompt_following_line(const std::map<std::string, double>& m) {
  namespace metric = results::metric;
  auto figure = [&m](const std::string& k) {
    return fmt::format("{:.1f} [{:.1f}, {:.1f}]", 100 * m.at(k), 100 * m.at(k + metric::kIntervalLowSuffix),
                       100 * m.at(k + metric::kIntervalHighSuffix));
  };
  std::string line = fmt::format("{:>24} prompt following {} %:", "", figure(metric::kPromptScore));
  for (int c = 0; c < shapes::kCategoryCount; ++c) {
    const std::string k = metric::kPromptCategoryPrefix + shapes::category_name(static_cast<shapes::Category>(c));
    if (m.count(k)) line += " " + shapes::category_name(static_cast<shapes::Category>(c)) + " " + figure(k);
  }
  return line + "\n";
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
    if (m.count(results::metric::kPromptScore)) std::cout << prompt_following_line(m);
  }
  for (const auto& key : order)
    if (key.first == eval::kValSetting)
      std::cout << fmt::format("validation loss ({} weights): native {:.5f}, velocity {:.5f}\n", key.second,
                               by[key].at("val/native"), by[key].at("val/velocity"));
}

}  // namespace

RunEvaluator::RunEvaluator(EvalOptions options) : options_(std::move(options)) {}
RunEvaluator::~RunEvaluator() = default;

void RunEvaluator::evaluate(results::Store& store, int64_t run_id, const results::EvaluationPlan& plan) {
  const EvalOptions& f = options_;
  auto& setups = setups_;
  done_run(store, run_id);
  const std::string path = best_checkpoint(store, run_id);
  const auto ck = core::read_checkpoint(path);
  const std::string key = setup_key(ck.meta.config.data);
  if (!setups.count(key)) setups[key] = load_setup(ck.meta.config.data, f, clock_);
  auto& setup = *setups.at(key);

  eval::ProtocolOptions o;
  o.plan = plan;
  o.seed = f.seed;
  o.batch = f.batch;
  o.device = f.device;
  o.log = [&f, run_id](const std::string& line) { log_line(f, fmt::format("run {}: {}", run_id, line)); };
  const auto floor_key = std::make_pair(plan.samples, o.metrics.seed);
  if (!setup.noise_floors.count(floor_key))
    setup.noise_floors[floor_key] = clock_.time(results::Phase::reference_features, [&] {
      return eval::noise_floor_rows(setup.references, plan.samples, o.metrics);
    });
  o.noise_floor = &setup.noise_floors.at(floor_key);
  if (eval::has_prompt_set(setup.data)) o.prompts = shapes::prompt_set(f.prompt_seed, f.prompts_per_category);
  log_line(f, fmt::format("run {}: evaluating {} (step {})", run_id, path, ck.meta.step));
  auto result = eval::evaluate_checkpoint(ck, path, run_id, setup.data, setup.evaluators, setup.references, o);
  clock_.add(results::Phase::sampling, result.sampling_seconds, run_id);
  clock_.add(results::Phase::metrics, result.metrics_seconds, run_id);
  const auto run_metrics = store.metrics(run_id);
  for (const auto& w : plan.weights) {
    // The EMA weights' figures are the trainer's, stored when it validated the checkpoint's step.
    auto trained = w == "ema" ? eval::trained_ema_validation(ck, run_metrics) : std::nullopt;
    auto v = trained ? *trained : clock_.time(
        results::Phase::validation, [&] { return eval::validate_checkpoint(ck, w, path, f.device); }, run_id);
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
  if (f.print_table) {
    print_table(result.rows, run_id, result.checkpoint_step, plan.samples);
    std::cout << fmt::format("{} rows and {} sample grids stored in {}\n\n", result.rows.size(), artifacts.size(),
                             store.path());
  }
}

void RunEvaluator::record_timings(results::Store& store, std::optional<int64_t> sweep_id) const {
  results::record_phase_timings(store, clock_, sweep_id);
}

bool already_evaluated(const results::Store& store, int64_t run_id, const results::EvaluationPlan& plan) {
  std::set<std::pair<std::string, std::string>> have;
  for (const auto& r : store.evaluations(run_id))
    if (r.metric == "clip_fid" && r.n == plan.samples) have.insert({r.setting, r.weights});
  for (const auto& s : plan.settings)
    for (const auto& w : plan.weights)
      if (!have.count({s.name, w})) return false;
  return true;
}


}  // namespace rflab::experiments
