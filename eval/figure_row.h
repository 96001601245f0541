// One stored figure of an evaluation before it is placed: metric, value, the N it is over and the
// feature space and evaluator that measured it; the run, checkpoint, setting and weights are
// filled in by the caller that knows them.
#pragma once
#include <cstdint>
#include <string>

#include "results/store.h"

namespace rflab::eval {

inline results::EvaluationRow figure_row(const std::string& metric, double value, int64_t n, const std::string& space,
                                         const std::string& evaluator_hash) {
  results::EvaluationRow r{};
  r.metric = metric;
  r.value = value;
  r.n = n;
  r.feature_space = space;
  r.evaluator_hash = evaluator_hash;
  return r;
}

}  // namespace rflab::eval
