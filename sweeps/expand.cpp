#include "sweeps/expand.h"

#include <map>
#include <stdexcept>

#include "results/run_config.h"

namespace rflab::sweeps {

using nlohmann::json;

std::string RunSpec::label() const {
  std::string out;
  for (const auto& [key, value] : varied)
    out += (out.empty() ? "" : " ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

size_t count_runs(const SweepFile& sweep) {
  size_t n = sweep.seeds.empty() ? 1 : sweep.seeds.size();
  for (const auto& a : sweep.axes) n *= a.points.size();
  return n;
}

std::vector<RunSpec> expand(const SweepFile& sweep) {
  const size_t total = count_runs(sweep);
  std::vector<RunSpec> runs;
  runs.reserve(total);
  std::map<std::string, size_t> by_hash;
  std::vector<size_t> at(sweep.axes.size(), 0);  // odometer over the axes, last axis fastest
  const size_t seed_count = sweep.seeds.empty() ? 1 : sweep.seeds.size();
  for (size_t combo = 0; combo < total / seed_count; ++combo) {
    Assignment varied;
    for (size_t i = 0; i < sweep.axes.size(); ++i)
      for (const auto& kv : sweep.axes[i].points[at[i]]) varied.push_back(kv);
    for (size_t s = 0; s < seed_count; ++s) {
      RunSpec run;
      run.index = runs.size();
      run.varied = varied;
      if (!sweep.seeds.empty()) run.varied.emplace_back("train.seed", json(sweep.seeds[s]));
      json flat = sweep.base;
      for (const auto& [key, value] : run.varied) flat[key] = value;
      run.config = results::RunConfig::parse(flat, sweep.file + ": run " + std::to_string(run.index));
      run.canonical_json = run.config.canonical_json();
      run.config_hash = run.config.hash();
      run.seed = static_cast<int64_t>(run.config.train.seed);
      auto [it, fresh] = by_hash.emplace(run.config_hash, run.index);
      // parse_sweep keeps axis keys disjoint and values distinct and normalised, so two
      // points can only collide if that validation is broken.
      if (!fresh)
        throw std::logic_error(sweep.file + ": run " + std::to_string(run.index) + " (" +
                               run.label() + ") has the config of run " +
                               std::to_string(it->second) + " (" + runs[it->second].label() + ")");
      runs.push_back(std::move(run));
    }
    for (size_t i = sweep.axes.size(); i-- > 0;) {
      if (++at[i] < sweep.axes[i].points.size()) break;
      at[i] = 0;
    }
  }
  return runs;
}

}  // namespace rflab::sweeps
