#include "eval/prompt_following.h"

#include <chrono>

#include "core/data/shapes/detector.h"
#include "core/data/shapes/render.h"
#include "eval/evaluation_set.h"
#include "eval/figure_row.h"
#include "results/metric_names.h"
#include "results/sha256.h"

namespace rflab::eval {

namespace metric = results::metric;

bool has_prompt_set(const EvalDataset& data) { return data.name == "shapes"; }

std::vector<float> detector_pixels(const torch::Tensor& image) {
  if (image.dim() != 3 || image.size(0) != 3 || image.size(1) != shapes::kImageSize || image.size(2) != shapes::kImageSize)
    throw std::invalid_argument("detector_pixels: expected a [3, 32, 32] image, got " + c10::str(image.sizes()));
  const auto hwc = image.detach().to(torch::kCPU, torch::kFloat32).add(1).mul(0.5).clamp(0, 1).permute({1, 2, 0}).contiguous();
  return std::vector<float>(hwc.data_ptr<float>(), hwc.data_ptr<float>() + hwc.numel());
}

PromptFollowing follow_prompts(core::TextToImage& system, const std::vector<shapes::Prompt>& prompts,
                               const core::SamplerOptions& options, uint64_t seed, int64_t batch) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < prompts.size(); ++i) {
    // Prompt i is sample i of the evaluation seed: its id is its position in the set.
    if (prompts[i].id != static_cast<int>(i)) throw std::invalid_argument("follow_prompts: prompt ids must be 0..n-1 in order");
    texts.push_back(prompts[i].text);
  }
  PromptFollowing out;
  const auto samples = generate_samples(system, texts, options, seed, batch);
  out.sampling_seconds = samples.wall_seconds;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < samples.images.size(0); ++i) out.found.push_back(shapes::detect(detector_pixels(samples.images[i])));
  out.score = shapes::score_prompts(prompts, out.found);
  out.detection_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::vector<results::EvaluationRow> prompt_following_rows(const shapes::PromptScore& score,
                                                          const std::string& prompt_set_hash) {
  std::vector<results::EvaluationRow> out;
  auto add = [&](const std::string& name, double value, int64_t n) {
    out.push_back(figure_row(name, value, n, kShapesDetectorSpace, prompt_set_hash));
  };
  auto add_with_interval = [&](const std::string& name, double value, const shapes::Interval& ci, int64_t n) {
    add(name, value, n);
    add(name + metric::kIntervalLowSuffix, ci.low, n);
    add(name + metric::kIntervalHighSuffix, ci.high, n);
  };
  int64_t total = 0;
  for (const auto& c : score.categories) {
    add_with_interval(metric::kPromptCategoryPrefix + shapes::category_name(c.category), c.rate, c.interval, c.prompts);
    total += c.prompts;
  }
  add_with_interval(metric::kPromptScore, score.overall, score.overall_interval, total);
  return out;
}

std::string prompt_set_hash(const std::vector<shapes::Prompt>& prompts) {
  // The detector's tolerances and the rules are fixed in code; their version is part of the hash.
  std::string s = "rflab-shapes-detector-v1\n";
  for (const auto& p : prompts) s += std::to_string(p.id) + " " + shapes::category_name(p.category) + " " + p.text + "\n";
  return results::sha256_hex(s);
}

}  // namespace rflab::eval
