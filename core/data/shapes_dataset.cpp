#include "core/data/shapes_dataset.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "core/data/shapes/captions.h"
#include "core/data/shapes/render.h"
#include "core/data/shapes/spatial_relation.h"

namespace rflab::core {
namespace {

using namespace rflab::shapes;

int64_t first_of(Split s) { return split_range(s).begin; }

// Every word a shapes caption or evaluation prompt can contain (captions.h, prompts.h).
std::vector<std::string> shapes_corpus() {
  std::vector<std::string> c = {"and", "things", "shapes", "geometric shapes", "simple shapes", "an abstract picture"};
  for (int n = 1; n <= 4; ++n) c.push_back(count_word(n));
  for (Size z : kSizes) c.push_back(size_name(z));
  for (Colour k : kColours) c.push_back(colour_name(k));
  for (Shape s : kShapes) {
    c.push_back(shape_name(s));
    c.push_back(shape_plural(s));
  }
  for (Relation r : {Relation::left_of, Relation::right_of, Relation::above, Relation::below})
    c.push_back(relation_phrase(r));
  return c;
}

// The leftmost object's prompt, "a red circle", per class.
std::vector<std::string> shapes_class_prompts() {
  std::vector<std::string> p;
  for (Colour k : kColours)
    for (Shape s : kShapes) p.push_back("a " + colour_name(k) + " " + shape_name(s));
  return p;
}

}  // namespace

int64_t shapes_class(const shapes::Scene& scene) {
  const shapes::Object* left = &scene.objects.at(0);
  for (const auto& o : scene.objects)
    if (o.x < left->x) left = &o;
  return static_cast<int64_t>(left->colour) * shapes::kShapeCount + static_cast<int64_t>(left->shape);
}

ImageSet render_scenes(uint64_t seed, int64_t first, int64_t n) {
  auto hwc = torch::empty({n, kImageSize, kImageSize, 3}, torch::kFloat32);
  auto labels = torch::empty({n}, torch::kInt64);
  float* pixels = hwc.data_ptr<float>();
  int64_t* label = labels.data_ptr<int64_t>();
  // Each image is a function of its index alone, so the split over threads changes nothing.
  at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const Scene scene = scene_at(seed, first + i);
      render(scene, pixels + i * kImageValues);
      label[i] = shapes_class(scene);
    }
  });
  return {hwc.permute({0, 3, 1, 2}).mul(2).sub(1).contiguous(), labels};
}

Dataset shapes_dataset(uint64_t seed, const results::CaptionChoice& captions, int64_t train_rows, int64_t eval_rows) {
  Dataset d;
  d.name = "shapes";
  const int64_t train_first = first_of(Split::train), val_first = first_of(Split::validation),
                heldout_first = first_of(Split::heldout);
  d.train = render_scenes(seed, train_first, train_rows);
  d.validation = render_scenes(seed, val_first, eval_rows);
  d.heldout = render_scenes(seed, heldout_first, eval_rows);
  // The training caption of row r follows data.captions; a caption is a function of (seed,
  // index), so `rng` is not drawn from (the style of a mix is drawn per image, once).
  d.train_caption = [seed, captions, train_first](int64_t row, std::mt19937_64&) {
    const int64_t index = train_first + row;
    return caption(scene_at(seed, index), style_for(captions, seed, index), seed, index);
  };
  // V and the evaluation set are captioned completely, whatever the training captions: one
  // yardstick for every arm of the caption study.
  for (int64_t i = 0; i < eval_rows; ++i) {
    d.validation_captions.push_back(synthetic_caption(scene_at(seed, val_first + i)));
    d.heldout_captions.push_back(synthetic_caption(scene_at(seed, heldout_first + i)));
  }
  d.class_prompts = shapes_class_prompts();
  d.grid_prompts.assign(d.heldout_captions.begin(), d.heldout_captions.begin() + std::min<int64_t>(10, eval_rows));
  d.evaluation = EvaluationPrompts::heldout_captions;
  d.corpus = shapes_corpus();
  d.max_caption_words = results::kShapesCaptionWords;
  d.caption_vocabulary = nlohmann::json{{"dataset", "shapes"},
                                        {"seed", seed},
                                        {"captions", results::to_string(captions)},
                                        {"train_rows", train_rows}}
                             .dump();
  return d;
}

}  // namespace rflab::core
