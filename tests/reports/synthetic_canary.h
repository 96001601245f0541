// Canaries written through the store's own API, for the regression tests: one canary per commit,
// one run per seed (pinned to the commit), each with its validation losses and S4 figures.
#pragma once
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "reports/bootstrap.h"
#include "results/store.h"

namespace rflab::reports::testing {

// Normal noise (Box–Muller over the reports' own generator): the same on every platform.
inline double normal(Resampler& r) {
  const double u1 = (static_cast<double>(r.next() >> 11) + 0.5) / 9007199254740992.0;
  const double u2 = static_cast<double>(r.next() >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// figure values per seed: metric -> one value per seed (setting "val" for val/*, else S4; weights ema).
using SeedFigures = std::map<std::string, std::vector<double>>;

inline int64_t store_canary(results::Store& store, const std::string& commit, const std::vector<int64_t>& seeds,
                            const SeedFigures& figures, const std::string& subject = "change", int64_t time = 0,
                            bool dirty = false) {
  results::CanaryRecord c;
  c.suite = "canary";
  c.suite_file = "sweeps/canary.json";
  c.suite_hash = "suitehash";
  c.git_commit = commit;
  c.git_dirty = dirty;
  c.code_version = commit + (dirty ? "+dirty.000000000000" : "");
  c.commit_time = time;
  c.commit_subject = subject;
  const int64_t id = store.register_canary(c);
  for (size_t i = 0; i < seeds.size(); ++i) {
    results::RunRecord r;
    r.config_json = "{}";
    r.config_hash = "config-seed-" + std::to_string(seeds[i]);
    r.code_version = c.code_version;
    r.seed = seeds[i];
    r.provenance.git_commit = commit;
    const int64_t run = store.register_run(r);
    store.set_status(run, results::RunStatus::done);
    store.link_canary_run(id, run);
    for (const auto& [metric, values] : figures) {
      const bool val = metric.rfind("val/", 0) == 0;
      store.add_evaluation({run, 200, "ema", val ? "val" : "S4", val ? 0 : 5, val ? 0.0 : 5.0, metric, values.at(i),
                            val ? 128 : 100, "", ""});
    }
    // Figures that are not compared: never in a verdict.
    store.add_evaluation({run, 200, "ema", "S4", 5, 5.0, "wall_seconds", 1.0 + static_cast<double>(i), 100, "", ""});
    store.add_evaluation({run, 200, "ema", "real", 0, 0.0, "clip_fid", 0.5, 100, "", ""});
  }
  store.set_canary_status(id, results::CanaryStatus::done);
  return id;
}

inline std::string fake_commit(int k) {
  std::string s = std::to_string(k);
  return std::string(40 - s.size(), 'a') + s;
}

}  // namespace rflab::reports::testing
