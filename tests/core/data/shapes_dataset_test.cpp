// The shapes dataset as the trainer and evaluators see it (core/data/shapes_dataset.h): tensors
// that are the renders of the split's scenes, classes from the leftmost object, the training
// captions data.captions asks for, and a tokenizer vocabulary that holds every caption and prompt.
#include "core/data/shapes_dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "core/data/shapes/captions.h"
#include "core/data/shapes/prompts.h"
#include "core/data/shapes/render.h"
#include "core/text/tokenizer.h"
#include "results/caption_choice.h"

namespace rflab::core {
namespace {

using results::parse_caption_choice;

// A small instance: the splits' first rows are what a full one holds first too.
const Dataset& small() {
  static const Dataset d = shapes_dataset(3, parse_caption_choice("synthetic"), 500, 200);
  return d;
}

TEST(ShapesDataset, RowsAreTheRendersOfTheirSplitsScenes) {
  const auto& d = small();
  EXPECT_EQ(d.name, "shapes");
  EXPECT_EQ(d.train.images.sizes(), (std::vector<int64_t>{500, 3, 32, 32}));
  EXPECT_EQ(d.validation.images.size(0), 200);
  EXPECT_EQ(d.heldout.images.size(0), 200);
  struct Case {
    const ImageSet* set;
    shapes::Split split;
    int64_t row;
  };
  for (const Case& c : {Case{&d.train, shapes::Split::train, 0}, Case{&d.train, shapes::Split::train, 499},
                        Case{&d.validation, shapes::Split::validation, 17}, Case{&d.heldout, shapes::Split::heldout, 199}}) {
    const auto scene = shapes::scene_at(3, shapes::split_range(c.split).begin + c.row);
    const auto hwc = shapes::render(scene);
    const auto image = c.set->images[c.row];  // [3, 32, 32] in [-1, 1]
    for (int y : {0, 9, 31})
      for (int x : {0, 16, 30})
        for (int ch = 0; ch < 3; ++ch)
          EXPECT_FLOAT_EQ(image[ch][y][x].item<float>(), hwc[(y * 32 + x) * 3 + ch] * 2 - 1)
              << shapes::split_name(c.split) << " row " << c.row;
    EXPECT_EQ(c.set->labels[c.row].item<int64_t>(), shapes_class(scene));
  }
}

TEST(ShapesDataset, SplitsDoNotShareAnImage) {
  const auto& d = small();
  std::set<std::string> seen;
  for (const auto* set : {&d.train, &d.validation, &d.heldout})
    for (int64_t i = 0; i < set->images.size(0); ++i) {
      const auto t = set->images[i].contiguous();
      seen.insert(std::string(static_cast<const char*>(t.data_ptr()), t.nbytes()));
    }
  // Identical renders would need identical scenes (and background grey) in two splits.
  EXPECT_EQ(seen.size(), 900u);
}

TEST(ShapesDataset, IsAPureFunctionOfSeedAndIndex) {
  const auto again = shapes_dataset(3, parse_caption_choice("synthetic"), 500, 200);
  EXPECT_TRUE(torch::equal(again.train.images, small().train.images));
  EXPECT_TRUE(torch::equal(again.heldout.labels, small().heldout.labels));
  const auto other = shapes_dataset(4, parse_caption_choice("synthetic"), 500, 200);
  EXPECT_FALSE(torch::equal(other.train.images, small().train.images));
}

TEST(ShapesDataset, TheClassIsTheLeftmostObjectsColourAndShape) {
  shapes::Scene s;
  s.objects = {{shapes::Shape::square, shapes::Colour::blue, shapes::Size::small, 20, 10},
               {shapes::Shape::cross, shapes::Colour::yellow, shapes::Size::large, 8, 20}};
  const int64_t c = shapes_class(s);
  EXPECT_EQ(c, static_cast<int64_t>(shapes::Colour::yellow) * 4 + static_cast<int64_t>(shapes::Shape::cross));
  EXPECT_EQ(small().class_prompts.size(), 24u);
  EXPECT_EQ(small().class_prompts[static_cast<size_t>(c)], "a yellow cross");
  // The class prompt is the original caption of the "leftmost object" form.
  const auto labels = small().train.labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < 500; ++i) ASSERT_LT(labels[i], 24);
}

TEST(ShapesDataset, TrainingCaptionsFollowTheChoice) {
  std::mt19937_64 rng(0);
  const auto first = shapes::split_range(shapes::Split::train).begin;
  const auto synthetic = shapes_dataset(3, parse_caption_choice("synthetic"), 50, 10);
  const auto original = shapes_dataset(3, parse_caption_choice("original"), 50, 10);
  const auto mix = shapes_dataset(3, parse_caption_choice("mix(0.5)"), 50, 10);
  int from_synthetic = 0;
  for (int64_t r = 0; r < 50; ++r) {
    const auto scene = shapes::scene_at(3, first + r);
    EXPECT_EQ(synthetic.train_caption(r, rng), shapes::synthetic_caption(scene));
    EXPECT_EQ(original.train_caption(r, rng), shapes::original_caption(scene, 3, first + r));
    const auto m = mix.train_caption(r, rng);
    EXPECT_EQ(m, mix.train_caption(r, rng)) << "a row's caption is fixed";
    EXPECT_TRUE(m == shapes::synthetic_caption(scene) || m == shapes::original_caption(scene, 3, first + r));
    from_synthetic += m == shapes::synthetic_caption(scene) && m != shapes::original_caption(scene, 3, first + r);
  }
  EXPECT_GT(from_synthetic, 10);
  EXPECT_LT(from_synthetic, 40);
  // Validation and evaluation captions are complete whatever the training ones are.
  EXPECT_EQ(original.validation_captions, synthetic.validation_captions);
  EXPECT_EQ(original.heldout_captions[3],
            shapes::synthetic_caption(shapes::scene_at(3, shapes::split_range(shapes::Split::heldout).begin + 3)));
}

TEST(ShapesDataset, EveryCaptionAndPromptFitsTheContextWithKnownWords) {
  const auto& d = small();
  const auto tok = Tokenizer::from_corpus(d.corpus, d.max_caption_words);
  const auto check = [&](const std::string& text) {
    const auto words = Tokenizer::words(text);
    ASSERT_LE(static_cast<int64_t>(words.size()), d.max_caption_words) << text;
    const auto ids = tok.encode({text});
    EXPECT_EQ((ids == Tokenizer::kUnknown).sum().item<int64_t>(), 0) << text;
  };
  const auto mix = shapes_dataset(3, parse_caption_choice("mix(0.5)"), 500, 10);
  std::mt19937_64 rng(0);
  for (int64_t r = 0; r < 500; ++r) check(mix.train_caption(r, rng));
  for (const auto& c : d.heldout_captions) check(c);
  for (const auto& p : shapes::prompt_set(0, 40)) check(p.text);
  // The longest caption the rule allows: four single objects linked by three "to the left of".
  shapes::Scene row;
  for (int i = 0; i < 4; ++i)
    row.objects.push_back({shapes::kShapes[i], shapes::kColours[i], shapes::Size::small, 4.0 + 8 * i, 16});
  EXPECT_EQ(static_cast<int64_t>(Tokenizer::words(shapes::synthetic_caption(row)).size()), d.max_caption_words)
      << shapes::synthetic_caption(row);
}

TEST(ShapesDataset, LoadDatasetFollowsTheRunConfig) {
  results::DataConfig c;
  c.dataset = "shapes";
  c.seed = 3;
  c.captions = "original";
  c.image_size = 32;
  require_dataset_inputs(c);  // nothing to find on disk
  const auto d = load_dataset(c);
  EXPECT_EQ(d.train.images.size(0), kShapesTrainRows);
  EXPECT_EQ(d.heldout.images.size(0), kShapesEvalRows);
  EXPECT_TRUE(torch::equal(d.train.images.narrow(0, 0, 500), small().train.images));
  std::mt19937_64 rng(0);
  EXPECT_EQ(d.train_caption(7, rng),
            shapes::original_caption(shapes::scene_at(3, 7), 3, 7));
}

}  // namespace
}  // namespace rflab::core
