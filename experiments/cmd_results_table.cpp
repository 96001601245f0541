// rflab results table: what the results database holds for each run of a sweep, one line per
// run and evaluated control setting — the figures a ranking is made from, read back unchanged.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>

#include "experiments/command.h"
#include "experiments/sweep_plan.h"
#include "reports/float_constants.h"
#include "results/error.h"
#include "sweeps/sweep_file.h"

namespace rflab::experiments {
namespace {

// The best (lowest) native EMA validation loss and its step (SPEC §5.2: ties go to the earliest).
std::pair<double, int64_t> best_validation(const results::Store& store, int64_t run_id) {
  double best = reports::kNaN;
  int64_t step = -1;
  for (const auto& m : store.metrics(run_id, "val/native"))
    if (step < 0 || m.value < best) {
      best = m.value;
      step = m.step;
    }
  return {best, step};
}

double metric_at(const results::Store& store, int64_t run_id, const std::string& key, int64_t step) {
  for (const auto& m : store.metrics(run_id, key))
    if (m.step == step) return m.value;
  return reports::kNaN;
}

std::string cell(double v, const char* spec = "{:.4f}") {
  return std::isnan(v) ? std::string("-") : fmt::format(fmt::runtime(spec), v);
}

int table_cmd(Args& args) {
  const std::string db = args.get_or("db", results::kDefaultDatabase);
  args.finish();
  auto pos = args.positional();
  if (pos.size() != 1) throw UsageError("expected one sweep FILE");
  const auto sweep = sweeps::load_sweep(pos[0]);
  if (!std::filesystem::exists(db)) throw UserError(db + ": expected the results database of the sweep, got no file");
  const auto plan = plan_sweep(sweep, db, kDefaultOutRoot);
  results::Store store(db);
  std::cout << fmt::format("{:<28} {:<9} {:>9} {:>9} {:>6} | {:<4} {:<4} {:>5} {:>9} {:>10} {:>10} {:>9}\n", "run",
                           "status", "val/nat", "val/vel", "step", "set", "wts", "N", "clip_fid", "clip_score", "class_fd", "class_acc");
  for (const auto& r : plan.runs) {
    const std::string label = r.spec.varied.empty() ? r.spec.config_hash.substr(0, 12) : r.spec.label();
    if (!r.row) {
      std::cout << fmt::format("{:<28} {:<9}\n", label, "pending");
      continue;
    }
    const auto [val, step] = best_validation(store, r.row->id);
    const double velocity = step < 0 ? reports::kNaN : metric_at(store, r.row->id, "val/velocity", step);
    const std::string head = fmt::format("{:<28} {:<9} {:>9} {:>9} {:>6}", label, to_string(r.state), cell(val),
                                         cell(velocity), step < 0 ? std::string("-") : std::to_string(step));
    // (setting, weights) -> metric -> (value, n); the noise floor and validation rows are not settings.
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::pair<double, int64_t>>> by_setting;
    for (const auto& e : store.evaluations(r.row->id))
      if (e.setting.size() == 2 && e.setting[0] == 'S') by_setting[{e.setting, e.weights}][e.metric] = {e.value, e.n};
    if (by_setting.empty()) {
      std::cout << head << " | not evaluated\n";
      continue;
    }
    for (const auto& [key, metrics] : by_setting) {
      auto get = [&](const std::string& m) {
        auto it = metrics.find(m);
        return it == metrics.end() ? reports::kNaN : it->second.first;
      };
      int64_t n = 0;
      for (const auto& [m, vn] : metrics) n = std::max(n, vn.second);
      std::cout << fmt::format("{} | {:<4} {:<4} {:>5} {:>9} {:>10} {:>10} {:>9}\n", head, key.first, key.second, n,
                               cell(get("clip_fid"), "{:.3f}"), cell(get("clip_score")),
                               cell(get("classifier_fd"), "{:.3f}"), cell(get("class_accuracy"), "{:.3f}"));
    }
  }
  return 0;
}

RFLAB_COMMAND(Command{
    "results table", "the stored figures of each run of a sweep, per evaluated control setting",
    "usage: rflab results table FILE [--db PATH]\n\n"
    "One line per run of the sweep FILE and evaluated control setting (SPEC §5.3) x weights: the\n"
    "run's status, its best native EMA validation loss, the velocity validation loss of the same\n"
    "step (comparable across formulations, SPEC §5.1) and that step (the checkpoint that was\n"
    "evaluated, SPEC §5.2), the number of samples N, CLIP-FID and CLIP score on the evaluator\n"
    "mini-CLIP, and the Frechet distance and class accuracy on the classifier. Figures are compared\n"
    "only at equal N. Runs not yet evaluated show their validation loss alone.",
    table_cmd});

}  // namespace
}  // namespace rflab::experiments
