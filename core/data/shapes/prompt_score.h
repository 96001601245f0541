// The prompt-following score of a set of generated images, as GenEval summarises it: per
// category, the share of prompts whose image satisfies its prompt, and overall, the mean of the
// six category rates. Every rate carries its 95% interval: Wilson's score interval per category
// (exact at 0 and 1, where the normal approximation collapses), and for the overall mean of
// independent categories the normal interval with variance Σ p_c(1 − p_c)/n_c / 36.
#pragma once
#include <vector>

#include "core/data/shapes/detector.h"
#include "core/data/shapes/prompts.h"

namespace rflab::shapes {

struct Interval {
  double low = 0, high = 0;
};

// Wilson's 95% score interval of `successes` out of `n` (n > 0).
Interval wilson_interval(int successes, int n);

struct CategoryScore {
  Category category = Category::single_object;
  int prompts = 0;
  int satisfied = 0;
  double rate = 0;  // satisfied / prompts
  Interval interval;
};

struct PromptScore {
  std::vector<CategoryScore> categories;  // the categories that have prompts, in enum order
  double overall = 0;                     // mean of the category rates
  Interval overall_interval;
};

// found[i]: the objects detected in the image generated for prompts[i]. std::invalid_argument
// when the two lists differ in length or are empty.
PromptScore score_prompts(const std::vector<Prompt>& prompts, const std::vector<std::vector<DetectedObject>>& found);

}  // namespace rflab::shapes
