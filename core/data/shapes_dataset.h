// The procedural `shapes` dataset (docs/shapes.md) as a core::Dataset: scenes rendered to
// [3, 32, 32] tensors in [-1, 1]. Rendering is a pure function of (seed, index), so the same
// tensors come out on every machine; 60000 training scenes take about a second.
#pragma once
#include <cstdint>

#include "core/data/dataset.h"
#include "core/data/shapes/scene.h"
#include "results/caption_choice.h"

namespace rflab::core {

// Training rows: scenes 0 .. kShapesTrainRows-1 of the train split (as many as Fashion-MNIST's,
// so epochs and run costs compare); V and the held-out set: the first kShapesEvalRows of the
// validation and held-out splits.
constexpr int64_t kShapesTrainRows = 60000, kShapesEvalRows = 10000;

// The class of a scene: its leftmost object's (colour, shape), colour-major: 24 classes.
int64_t shapes_class(const shapes::Scene& scene);

// The dataset of `seed` whose training captions follow `captions`; train_rows and eval_rows
// shrink it for tests.
Dataset shapes_dataset(uint64_t seed, const results::CaptionChoice& captions, int64_t train_rows = kShapesTrainRows,
                       int64_t eval_rows = kShapesEvalRows);

// Scenes [first, first + n) of `seed` rendered as [n, 3, 32, 32] in [-1, 1], with their classes.
ImageSet render_scenes(uint64_t seed, int64_t first, int64_t n);

}  // namespace rflab::core
