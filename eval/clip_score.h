// CLIP score (SPEC §5.4): the mean cosine similarity between the evaluator's embedding of each
// sample and of the prompt it was generated from, reported raw (the paper's scale, below 1)
// and as the mean of 100 * max(cos, 0) (the torchmetrics CLIPScore convention).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eval/mini_clip.h"

namespace rflab::eval {

struct ClipScore {
  double cosine = 0;       // mean cos(e_img, e_txt)
  double torchmetrics = 0; // mean 100 * max(cos, 0)
  int64_t n = 0;
  torch::Tensor cosines;   // [N] float64: cos(e_img, e_txt) of each sample, for resampling
};

// From embeddings [N, E] of images and of their prompts, row i with row i.
ClipScore clip_score_of_embeddings(const torch::Tensor& image_emb, const torch::Tensor& text_emb);

// images [N, C, S, S] in [-1, 1]; prompts.size() == N. The evaluator runs without gradients.
ClipScore clip_score(MiniClip& evaluator, const torch::Tensor& images, const std::vector<std::string>& prompts,
                     int64_t batch = 500);

}  // namespace rflab::eval
