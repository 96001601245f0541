#include "eval/clip_score.h"

#include <cmath>
#include <stdexcept>

namespace rflab::eval {

ClipScore clip_score_of_embeddings(const torch::Tensor& image_emb, const torch::Tensor& text_emb) {
  if (image_emb.sizes() != text_emb.sizes() || image_emb.dim() != 2)
    throw std::invalid_argument("clip_score: expected two [N, E] embeddings of one shape, got " +
                                c10::str(image_emb.sizes()) + " and " + c10::str(text_emb.sizes()));
  ClipScore s;
  s.n = image_emb.size(0);
  if (s.n == 0) return {std::nan(""), std::nan(""), 0};
  auto cos = torch::cosine_similarity(image_emb.to(torch::kFloat64), text_emb.to(torch::kFloat64), 1);
  s.cosines = cos;
  s.cosine = cos.mean().item<double>();
  s.torchmetrics = (100.0 * cos.clamp_min(0.0)).mean().item<double>();
  return s;
}

ClipScore clip_score(MiniClip& evaluator, const torch::Tensor& images, const std::vector<std::string>& prompts,
                     int64_t batch) {
  const int64_t n = images.size(0);
  if (static_cast<int64_t>(prompts.size()) != n)
    throw std::invalid_argument("clip_score: " + std::to_string(n) + " images but " + std::to_string(prompts.size()) +
                                " prompts");
  torch::NoGradGuard g;
  std::vector<torch::Tensor> img, txt;
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t b = std::min(batch, n - i);
    img.push_back(evaluator->encode_image(images.narrow(0, i, b)));
    txt.push_back(evaluator->text_embedding({prompts.begin() + i, prompts.begin() + i + b}));
  }
  if (n == 0) return clip_score_of_embeddings(torch::empty({0, 1}), torch::empty({0, 1}));
  return clip_score_of_embeddings(torch::cat(img), torch::cat(txt));
}

}  // namespace rflab::eval
