// Validation loss of SPEC §5.1 (D11): eight levels τ_k = k/8, k = 0…7, on a fixed set V in a
// fixed order with full conditioning; the noise of level k comes from one generator seeded by
// (validation seed, k). "native" evaluates each family at native time τ_k with its own training
// loss; "velocity" maps τ_k through σ to the family's level and scores the RF velocity.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/train/text_to_image.h"

namespace rflab::core {

struct ValidationSet {
  torch::Tensor images;              // x0 [N, C, S, S]
  std::vector<std::string> captions;  // one per image, the canonical caption
};

struct ValidationLoss {
  std::vector<double> native;    // per level, 8 values
  std::vector<double> velocity;  // per level, 8 values
  double native_mean = 0;
  double velocity_mean = 0;
};

constexpr int kValidationLevels = 8;

// The validation set V of a run (D11), the one definition the trainer and the validation
// evaluator share: the first eval.val_size images of the dataset's validation split in order,
// with their fixed captions (Fashion-MNIST: t10k, canonical class captions; shapes: the
// validation split, synthetic captions).
ValidationSet validation_set(const Dataset& data, const results::EvalConfig& eval);

// On a GPU the set goes through the network in chunks of `batch`; on the CPU in parts sized for
// the cores (core/util/shards.h). The figures do not depend on either.
ValidationLoss validation_loss(TextToImage& system, const ValidationSet& v, uint64_t seed, int64_t batch = 256);

// The named figures stored per evaluation: val/native, val/velocity and per level val/native/t=0.125 ...
std::vector<std::pair<std::string, double>> validation_metrics(const ValidationLoss& l, const std::string& prefix);

}  // namespace rflab::core
