#include "eval/evaluation_set.h"

#include <chrono>

namespace rflab::eval {

std::vector<std::string> evaluation_captions(const EvalDataset& data, int64_t n) {
  const bool by_class = data.evaluation == core::EvaluationPrompts::class_balanced;
  const auto& texts = by_class ? data.class_prompts : data.heldout_captions;
  if (texts.empty()) throw std::logic_error("evaluation_captions: the dataset has no evaluation prompts");
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(texts[static_cast<size_t>(i) % texts.size()]);
  return out;
}

torch::Tensor evaluation_labels(const EvalDataset& data, int64_t n) {
  if (data.evaluation == core::EvaluationPrompts::class_balanced)
    return torch::arange(n, torch::kLong).remainder(data.classes());
  const int64_t h = static_cast<int64_t>(data.heldout_captions.size());
  return data.heldout.labels.narrow(0, 0, h).index_select(0, torch::arange(n, torch::kLong).remainder(h));
}

GeneratedSamples generate_samples(core::TextToImage& system, const std::vector<std::string>& captions,
                                  const core::SamplerOptions& options, uint64_t seed, int64_t batch,
                                  const BatchProgressFn& progress) {
  if (batch < 1) throw std::logic_error("generate_samples: batch must be positive");
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(captions.size());
  GeneratedSamples out;
  std::vector<torch::Tensor> parts;
  double length_sum = 0;
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t b = std::min(batch, n - i);
    std::vector<std::string> prompts(captions.begin() + i, captions.begin() + i + b);
    int64_t evals = 0;
    torch::Tensor length;
    parts.push_back(system.generate(prompts, options, seed, i, &evals, &length).to(torch::kCPU));
    length_sum += length.sum().item<double>();
    out.network_evals = evals;  // passes per batch = evaluations per sample
    if (progress) progress(i + b, n);
  }
  out.images = parts.empty() ? torch::empty({0, system.channels, system.image_size, system.image_size})
                             : torch::cat(parts);
  out.path_length = n > 0 ? length_sum / static_cast<double>(n) : 0.0;
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

torch::Tensor to_evaluator_size(const torch::Tensor& images, int64_t size) {
  const int64_t s = images.size(-1);
  if (s == size) return images;
  if (s > size) {
    const int64_t off = (s - size) / 2;
    return images.narrow(-2, off, size).narrow(-1, off, size).contiguous();
  }
  const int64_t before = (size - s) / 2, after = size - s - before;
  return torch::constant_pad_nd(images, {before, after, before, after}, -1.0);
}

}  // namespace rflab::eval
