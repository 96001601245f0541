// `rflab clip train|info` and `rflab classifier train|info`: train (or find in the cache) the
// evaluator networks of a dataset and list the cached ones with their held-out accuracy. All
// computation lives in eval/; this file parses flags and prints.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/data/fashion_mnist.h"
#include "eval/classifier.h"
#include "eval/mini_clip.h"
#include "eval/model_cache.h"
#include "experiments/command.h"
#include "experiments/sweep_plan.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {


// --dataset fashion-mnist (--data DIR) or shapes (--data-seed S): the evaluators' dataset of
// runs on it (eval::EvalDataset::for_runs_on).
eval::EvalDataset load_data(Args& args) {
  results::DataConfig d;
  d.dataset = args.get_or("dataset", "fashion-mnist");
  d.root = args.get_or("data", core::FashionMnist::kDefaultRoot);
  d.image_size = 32;
  const int64_t seed = args.get_int("data-seed", 0);
  if (d.dataset != "fashion-mnist" && d.dataset != "shapes")
    throw_input_error("", "--dataset", "fashion-mnist or shapes", "'" + d.dataset + "'");
  if (seed < 0) throw_input_error("", "--data-seed", "a non-negative integer", std::to_string(seed));
  d.seed = static_cast<uint64_t>(seed);
  return eval::EvalDataset::for_runs_on(d);
}

// Progress on stderr every 10% of the steps.
auto progress(const std::string& what, bool quiet) {
  return [what, quiet](int64_t step, int64_t steps, double loss) {
    if (!quiet && (step % std::max<int64_t>(1, steps / 10) == 0 || step == steps))
      std::cerr << fmt::format("{}: step {}/{} loss {:.4f}\n", what, step, steps, loss);
  };
}

int clip_train(Args& args) {
  const std::string cache = args.get_or("cache", kDefaultCache);
  const auto data = load_data(args);
  const std::string role = args.get_or("role", "both");
  const bool set_seed = args.get("seed").has_value(), set_steps = args.get("steps").has_value();
  const int64_t seed = args.get_int("seed", 0), steps = args.get_int("steps", 1);
  const bool json = args.has_switch("json"), quiet = args.has_switch("quiet");
  args.finish();
  std::vector<eval::MiniClipConfig> configs;
  if (role == "conditioner" || role == "both") configs.push_back(eval::MiniClipConfig::conditioner());
  if (role == "evaluator" || role == "both") configs.push_back(eval::MiniClipConfig::evaluator());
  if (configs.empty()) throw_input_error("", "--role", "conditioner, evaluator or both", "'" + role + "'");
  if (seed < 0) throw_input_error("", "--seed", "a non-negative integer", std::to_string(seed));
  for (auto& c : configs) {
    c = eval::fitted_to(c, data);
    if (set_seed) c.seed = static_cast<uint64_t>(seed);
    if (set_steps) c.steps = steps;
    if (c.steps < 1) throw_input_error("", "--steps", "a positive integer", std::to_string(c.steps));
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : configs) {
    auto t = eval::load_or_train_mini_clip(c, data, cache, progress("mini-CLIP " + c.role, quiet || json));
    out.push_back({{"role", c.role}, {"path", t.path}, {"from_cache", t.from_cache}, {"key", t.key},
                   {"report", t.report.to_json()}, {"config", c.to_json()}});
    if (!json)
      std::cout << fmt::format("mini-CLIP {} ({}): held-out zero-shot accuracy {:.4f} (N = {}, chance {:.3f})\n  {} {}\n",
                               c.role, t.from_cache ? "cached" : fmt::format("trained in {:.0f} s", t.report.train_seconds),
                               t.report.heldout_zero_shot_accuracy, t.report.heldout_n, 1.0 / data.classes(),
                               t.from_cache ? "loaded from" : "cached at", t.path);
  }
  if (json) std::cout << out.dump(2) << "\n";
  return 0;
}

int classifier_train(Args& args) {
  const std::string cache = args.get_or("cache", kDefaultCache);
  const auto data = load_data(args);
  auto c = eval::fitted_to(eval::ClassifierConfig{}, data);
  const int64_t seed = args.get_int("seed", static_cast<int64_t>(c.seed));
  if (seed < 0) throw_input_error("", "--seed", "a non-negative integer", std::to_string(seed));
  c.seed = static_cast<uint64_t>(seed);
  c.steps = args.get_int("steps", c.steps);
  const bool json = args.has_switch("json"), quiet = args.has_switch("quiet");
  args.finish();
  if (c.steps < 1) throw_input_error("", "--steps", "a positive integer", std::to_string(c.steps));
  auto t = eval::load_or_train_classifier(c, data, cache, progress("classifier", quiet || json));
  if (json) {
    std::cout << nlohmann::json{{"path", t.path}, {"from_cache", t.from_cache}, {"key", t.key},
                                {"report", t.report.to_json()}, {"config", c.to_json()}}.dump(2) << "\n";
  } else {
    std::cout << fmt::format("classifier ({}): held-out accuracy {:.4f} (N = {}, chance {:.3f})\n  {} {}\n",
                             t.from_cache ? "cached" : fmt::format("trained in {:.0f} s", t.report.train_seconds),
                             t.report.heldout_accuracy, t.report.heldout_n, 1.0 / data.classes(), t.from_cache ? "loaded from" : "cached at",
                             t.path);
  }
  return 0;
}

// Lists the cached networks of one kind; `accuracy` names the report's accuracy field.
int list_cache(Args& args, const std::string& kind, const std::string& accuracy) {
  const std::string cache = args.get_or("cache", kDefaultCache);
  const bool json = args.has_switch("json");
  args.finish();
  std::vector<std::string> errors;
  const auto nets = eval::list_networks(cache, kind, &errors);
  if (json) {
    nlohmann::json out = {{"cache", cache}, {"networks", nlohmann::json::array()}, {"unreadable", errors}};
    for (const auto& n : nets)
      out["networks"].push_back({{"path", n.path}, {"key", n.key}, {"dataset_identity", n.dataset_identity},
                                 {"config", n.config}, {"report", n.report}});
    std::cout << out.dump(2) << "\n";
  } else {
    if (nets.empty()) std::cout << fmt::format("no cached {} networks in {}\n", kind, cache);
    for (const auto& n : nets) {
      const std::string role = n.config.contains("role") ? n.config.at("role").get<std::string>() + " " : "";
      std::cout << fmt::format("{}\n  {}seed {}, {} steps, held-out accuracy {:.4f} (N = {}), data {}\n", n.path, role,
                               n.config.at("seed").dump(), n.config.at("steps").dump(),
                               n.report.at(accuracy).get<double>(), n.report.at("heldout_n").get<int64_t>(),
                               n.dataset_identity.substr(0, 12));
    }
    for (const auto& e : errors) std::cout << "unreadable: " << e << "\n";
  }
  return errors.empty() ? 0 : 1;
}

int clip_info(Args& args) { return list_cache(args, "clip", "heldout_zero_shot_accuracy"); }
int classifier_info(Args& args) { return list_cache(args, "classifier", "heldout_accuracy"); }

RFLAB_COMMAND(Command{
    "clip train", "train or load the mini-CLIP conditioner and evaluator of the dataset",
    "usage: rflab clip train [--cache DIR] [--role conditioner|evaluator|both] [--seed S] [--steps N]\n"
    "                        [--dataset fashion-mnist|shapes] [--data DIR] [--data-seed S] [--json] [--quiet]\n\n"
    "Finds each mini-CLIP in the cache (key: config and dataset content) or trains it and caches it\n"
    "as DIR/clip-<hash12>.safetensors, then prints its zero-shot accuracy on the held-out split.\n\n"
    "  --cache DIR   cache folder (default cache)\n"
    "  --role R      which default instance (default both)\n"
    "  --seed S      override the instance's seed\n"
    "  --steps N     override the number of training steps\n"
    "  --dataset D   fashion-mnist (default) or shapes (captions mix(0.5), as runs' evaluators)\n"
    "  --data DIR    Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)\n"
    "  --data-seed S shapes: the dataset seed (default 0)",
    clip_train});

RFLAB_COMMAND(Command{"clip info", "list the cached mini-CLIPs with their held-out zero-shot accuracy",
                      "usage: rflab clip info [--cache DIR] [--json]\n\n"
                      "Lists DIR/clip-*.safetensors (default cache) with role, seed, steps and held-out\n"
                      "zero-shot accuracy. Exit 1 when a file is unreadable (it is named).",
                      clip_info});

RFLAB_COMMAND(Command{
    "classifier train", "train or load the evaluation classifier of the dataset",
    "usage: rflab classifier train [--cache DIR] [--seed S] [--steps N] [--dataset fashion-mnist|shapes]\n"
    "                              [--data DIR] [--data-seed S] [--json] [--quiet]\n\n"
    "Finds the classifier in the cache (key: config and dataset content) or trains it and caches it\n"
    "as DIR/classifier-<hash12>.safetensors, then prints its held-out accuracy.",
    classifier_train});

RFLAB_COMMAND(Command{"classifier info", "list the cached classifiers with their held-out accuracy",
                      "usage: rflab classifier info [--cache DIR] [--json]\n\n"
                      "Lists DIR/classifier-*.safetensors (default cache) with seed, steps and held-out\n"
                      "accuracy. Exit 1 when a file is unreadable (it is named).",
                      classifier_info});

}  // namespace
}  // namespace rflab::experiments
