// The prompt set: its size and determinism, its ground-truth scenes satisfying every prompt as
// the detector sees them (clean and perturbed), and deliberately wrong images failing.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "core/data/shapes/prompts.h"
#include "core/data/shapes/render.h"
#include "tests/shapes/perturb.h"

namespace rflab::shapes {
namespace {

using testing::kPerturbations;
using testing::perturbation_name;
using testing::perturbed;
using testing::Perturbation;

const std::vector<Prompt>& prompts() {
  static const std::vector<Prompt> p = prompt_set(0);
  return p;
}

std::vector<DetectedObject> detect_prompt_scene(const Scene& s, Perturbation p = Perturbation::none, uint64_t seed = 0) {
  return detect(perturbed(render(s), p, seed));
}

TEST(ShapesPrompts, SizeCategoriesAndDeterminism) {
  ASSERT_EQ(prompts().size(), size_t(kCategoryCount * kDefaultPromptsPerCategory));
  std::map<Category, int> per;
  std::map<Category, std::set<std::string>> texts;
  for (size_t i = 0; i < prompts().size(); ++i) {
    const Prompt& p = prompts()[i];
    EXPECT_EQ(p.id, int(i));
    ++per[p.category];
    texts[p.category].insert(p.text);
    EXPECT_EQ(p.relation.has_value(), p.category == Category::position);
  }
  for (int c = 0; c < kCategoryCount; ++c) EXPECT_EQ(per[Category(c)], kDefaultPromptsPerCategory);
  // Every distinct text of a category appears (385 >= each category's count of texts).
  EXPECT_EQ(texts[Category::single_object].size(), 4u);
  EXPECT_EQ(texts[Category::two_objects].size(), 12u);
  EXPECT_EQ(texts[Category::counting].size(), 12u);
  EXPECT_EQ(texts[Category::colors].size(), 24u);
  EXPECT_EQ(texts[Category::position].size(), 48u);
  EXPECT_EQ(texts[Category::color_attr].size(), 360u);
  const auto again = prompt_set(0), other = prompt_set(1);
  bool differs = false;
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].text, prompts()[i].text);
    differs = differs || other[i].text != prompts()[i].text;
  }
  EXPECT_TRUE(differs);
  // The +-5-point argument: 1.96^2 * 0.25 / 0.05^2 <= 385.
  EXPECT_LE(1.96 * 1.96 * 0.25 / (0.05 * 0.05), double(kDefaultPromptsPerCategory));
}

TEST(ShapesPrompts, TextsReadAsGenEvals) {
  std::set<std::string> all;
  for (const Prompt& p : prompts()) all.insert(p.text);
  for (const char* t : {"a circle", "a square and a cross", "three triangles", "a red circle",
                        "a circle to the left of a square", "a triangle below a cross", "a red circle and a blue square"})
    EXPECT_EQ(all.count(t), 1u) << t;
}

// The ground truth of every prompt satisfies it as the detector sees it, per category, clean and
// under each perturbation; the detector also recovers the scene exactly.
TEST(ShapesPrompts, GroundTruthSatisfiesEveryCategory) {
  for (Perturbation pert : kPerturbations) {
    std::map<Category, std::pair<int, int>> ok;  // (satisfied, exact recovery)
    for (const Prompt& p : prompts()) {
      const Scene scene = scene_for(p, 0);
      // The ground truth itself, before any rendering, satisfies the prompt.
      std::vector<DetectedObject> truth;
      for (const Object& o : scene.objects) truth.push_back({o.shape, o.colour, o.size, o.x, o.y, 0, 0, 0});
      ASSERT_TRUE(satisfied(p, truth)) << p.text;
      const auto found = detect_prompt_scene(scene, pert, uint64_t(p.id));
      ok[p.category].first += satisfied(p, found);
      ok[p.category].second += recovers(scene, found);
    }
    for (const auto& [cat, n] : ok) {
      const double sat = double(n.first) / kDefaultPromptsPerCategory, exact = double(n.second) / kDefaultPromptsPerCategory;
      std::printf("[shapes] prompts %-13s %-13s satisfied %.4f exact %.4f\n", category_name(cat).c_str(),
                  perturbation_name(pert).c_str(), sat, exact);
      ::testing::Test::RecordProperty(category_name(cat) + " " + perturbation_name(pert), std::to_string(sat));
      EXPECT_GE(sat, 0.99) << category_name(cat) << " " << perturbation_name(pert);
      EXPECT_GE(exact, 0.99) << category_name(cat) << " " << perturbation_name(pert);
    }
  }
}

// A deliberately wrong image for a prompt: the wrong colour, count, shape or arrangement.
std::optional<Scene> wrong_image(const Prompt& p, const Scene& truth) {
  Scene s = truth;
  auto next_colour = [](Colour c) { return kColours[size_t((int(c) + 1) % kColourCount)]; };
  auto next_shape = [](Shape x) { return kShapes[size_t((int(x) + 1) % kShapeCount)]; };
  switch (p.category) {
    case Category::single_object:  // another shape
      s.objects[0].shape = next_shape(s.objects[0].shape);
      return s;
    case Category::two_objects:  // the second object missing
      s.objects.pop_back();
      return s;
    case Category::counting:  // one fewer
      s.objects.pop_back();
      return s;
    case Category::colors:  // another colour
      s.objects[0].colour = next_colour(s.objects[0].colour);
      return s;
    case Category::position:  // the two objects swap places (shapes and colours swap, sizes stay)
      std::swap(s.objects[0].shape, s.objects[1].shape);
      std::swap(s.objects[0].colour, s.objects[1].colour);
      return s;
    case Category::color_attr:  // the colours swapped between the two objects
      std::swap(s.objects[0].colour, s.objects[1].colour);
      return s;
  }
  return std::nullopt;
}

TEST(ShapesPrompts, WrongImagesFail) {
  std::map<Category, int> passed;
  for (const Prompt& p : prompts()) {
    const auto bad = wrong_image(p, scene_for(p, 0));
    ASSERT_TRUE(bad);
    passed[p.category] += satisfied(p, detect_prompt_scene(*bad, Perturbation::none));
  }
  for (int c = 0; c < kCategoryCount; ++c) EXPECT_EQ(passed[Category(c)], 0) << category_name(Category(c));
}

TEST(ShapesPrompts, CountingIsExactAndExtraObjectsAreAllowedElsewhere) {
  Prompt three;
  three.category = Category::counting;
  three.needs = {{Shape::square, std::nullopt, 3, true}};
  auto sq = [](double x, Colour c) { return DetectedObject{Shape::square, c, Size::small, x, 5, 64, 4, 0}; };
  EXPECT_FALSE(satisfied(three, {sq(5, Colour::red), sq(15, Colour::blue)}));
  EXPECT_TRUE(satisfied(three, {sq(5, Colour::red), sq(15, Colour::blue), sq(25, Colour::red)}));
  EXPECT_FALSE(satisfied(three, {sq(5, Colour::red), sq(12, Colour::blue), sq(19, Colour::red), sq(26, Colour::red)}));
  Prompt red;
  red.category = Category::colors;
  red.needs = {{Shape::square, Colour::red, 1, false}};
  EXPECT_TRUE(satisfied(red, {sq(5, Colour::blue), sq(15, Colour::red)}));
  EXPECT_FALSE(satisfied(red, {sq(5, Colour::blue)}));
  Prompt left;
  left.category = Category::position;
  left.needs = {{Shape::circle, std::nullopt, 1, false}, {Shape::square, std::nullopt, 1, false}};
  left.relation = Relation::left_of;
  const DetectedObject circle{Shape::circle, Colour::green, Size::small, 14, 5, 50, 4, 0};
  EXPECT_TRUE(satisfied(left, {circle, sq(25, Colour::red)}));
  EXPECT_FALSE(satisfied(left, {circle, sq(15, Colour::red)}));  // within the 2-px margin
  EXPECT_FALSE(satisfied(left, {circle, sq(5, Colour::red)}));
}

}  // namespace
}  // namespace rflab::shapes
