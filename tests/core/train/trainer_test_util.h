// Shared pieces of the trainer tests: a tiny complete run config, a sink that counts rows and
// can ask for a stop, and a parameter-by-parameter equality check.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "core/train/trainer.h"
#include "results/run_config.h"
#include "tests/core/train/tiny_conditioner.h"
#include "tests/util/temp_dir.h"

namespace rflab::core::testing {

using rflab::testing::TempDir;

// A tiny run of `steps` steps; `overrides` (dotted keys) replace or add keys.
inline rflab::results::RunConfig tiny_config(int64_t steps, const nlohmann::json& overrides = nlohmann::json::object()) {
  nlohmann::json partial = {
      {"model.depth", 1},        {"model.width", 64},      {"model.heads", 1},       {"model.context_dim", 32},
      {"model.pooled_dim", 32},  {"train.steps", steps},   {"train.batch_size", 8},  {"train.warmup_steps", 2},
      {"train.checkpoint_every", 3}, {"train.log_every", 1}, {"train.ema_every", 1}, {"train.ema_decay", 0.9},
      {"eval.every", 3},         {"eval.val_size", 16},    {"eval.samples_per_class", 0},
  };
  for (const auto& [key, value] : overrides.items()) partial[key] = value;
  return rflab::results::RunConfig::parse(partial, "test");
}

struct CountingSink : MetricSink {
  explicit CountingSink(int64_t stop_at = -1) : stop_at(stop_at) {}
  void metrics(int64_t step, const std::vector<std::pair<std::string, double>>& v) override {
    last_step = step;
    rows += static_cast<int64_t>(v.size());
  }
  void log(const std::string&) override {}
  bool stop_requested() override { return stop_at >= 0 && last_step >= stop_at; }
  int64_t stop_at;
  int64_t last_step = 0;
  int64_t rows = 0;
};

// Every figure the trainer stores, by (step, name), without the timing figure.
struct RecordingSink : CountingSink {
  using CountingSink::CountingSink;
  void metrics(int64_t step, const std::vector<std::pair<std::string, double>>& v) override {
    CountingSink::metrics(step, v);
    for (const auto& [name, value] : v)
      if (name != "train/samples_per_s") figures[{step, name}] = value;
  }
  std::map<std::pair<int64_t, std::string>, double> figures;
};


inline void expect_identical(torch::nn::Module& a, torch::nn::Module& b, const std::string& what) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << what << " " << p.key();
}

}  // namespace rflab::core::testing
