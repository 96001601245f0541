// Shared pieces of the trainer tests: a tiny complete run config, a sink that counts rows and
// can ask for a stop, per-process temp dirs, and a parameter-by-parameter equality check.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/train/trainer.h"
#include "results/run_config.h"
#include "tests/core/train/tiny_conditioner.h"

namespace rflab::core::testing {

inline nlohmann::json tiny_config(int64_t steps) {
  nlohmann::json partial = {
      {"model", {{"depth", 1}, {"width", 64}, {"heads", 1}, {"context_dim", 32}, {"pooled_dim", 32}}},
      {"train", {{"steps", steps}, {"batch_size", 8}, {"warmup_steps", 2}, {"checkpoint_every", 3}, {"log_every", 1},
                 {"ema_every", 1}, {"ema_decay", 0.9}}},
      {"eval", {{"every", 3}, {"val_size", 16}, {"samples_per_class", 0}}},
  };
  return rflab::results::complete_config(partial, "test");
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

inline std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("rflab_trainer_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

inline void expect_identical(torch::nn::Module& a, torch::nn::Module& b, const std::string& what) {
  auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << what << " " << p.key();
}

}  // namespace rflab::core::testing
