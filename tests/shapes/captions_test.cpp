// Captions: the synthetic caption states the scene graph exactly; the original one is a terse,
// deterministic partial description; the caption-style config value parses strictly.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>

#include "core/data/shapes/captions.h"
#include "tests/util/user_error.h"

namespace rflab::shapes {
namespace {

Object obj(Shape s, Colour c, Size z, double x, double y) { return {s, c, z, x, y}; }

TEST(ShapesCaptions, SyntheticStatesCountsColoursShapesAndRelations) {
  Scene s;
  s.objects = {obj(Shape::circle, Colour::red, Size::small, 5, 10), obj(Shape::circle, Colour::red, Size::small, 6, 24),
               obj(Shape::square, Colour::blue, Size::large, 20, 16)};
  EXPECT_EQ(synthetic_caption(s), "two small red circles to the left of a large blue square");
  // Not left of (x within the margin), but above.
  s.objects = {obj(Shape::cross, Colour::green, Size::small, 16, 5),
               obj(Shape::triangle, Colour::yellow, Size::large, 17, 20)};
  EXPECT_EQ(synthetic_caption(s), "a small green cross above a large yellow triangle");
  s.objects = {obj(Shape::cross, Colour::green, Size::small, 16, 25),
               obj(Shape::triangle, Colour::yellow, Size::large, 17, 9)};
  EXPECT_EQ(synthetic_caption(s), "a small green cross below a large yellow triangle");
  // Four of a kind, and a chain of three groups.
  s.objects = {obj(Shape::square, Colour::cyan, Size::small, 5, 5), obj(Shape::square, Colour::cyan, Size::small, 5, 26),
               obj(Shape::square, Colour::cyan, Size::small, 26, 5), obj(Shape::square, Colour::cyan, Size::small, 26, 26)};
  EXPECT_EQ(synthetic_caption(s), "four small cyan squares");
  s.objects = {obj(Shape::circle, Colour::red, Size::small, 5, 16), obj(Shape::square, Colour::blue, Size::small, 16, 6),
               obj(Shape::cross, Colour::magenta, Size::small, 17, 26)};
  EXPECT_EQ(synthetic_caption(s), "a small red circle to the left of a small blue square above a small magenta cross");
}

TEST(ShapesCaptions, GroupsWithoutAClearRelationAreJoinedByAnd) {
  Scene s;  // the circles straddle the square in x and in y
  s.objects = {obj(Shape::circle, Colour::red, Size::small, 5, 5), obj(Shape::circle, Colour::red, Size::small, 27, 27),
               obj(Shape::square, Colour::blue, Size::small, 16, 16)};
  EXPECT_EQ(synthetic_caption(s), "two small red circles and a small blue square");
}

// On many dataset scenes, the synthetic caption names every (size, colour, shape) group with its
// exact count, and nothing else.
TEST(ShapesCaptions, SyntheticAgreesWithTheSceneGraph) {
  const std::regex phrase("(a|two|three|four) (small|large) (red|green|blue|yellow|magenta|cyan) "
                          "(circles|squares|triangles|crosses|circle|square|triangle|cross)");
  for (int64_t i = 0; i < 2000; ++i) {
    const Scene scene = scene_at(11, i);
    std::map<std::string, int> expected;
    for (const Object& o : scene.objects) ++expected[size_name(o.size) + " " + colour_name(o.colour) + " " + shape_name(o.shape)];
    std::map<std::string, int> stated;
    const std::string cap = synthetic_caption(scene);
    for (std::sregex_iterator it(cap.begin(), cap.end(), phrase), end; it != end; ++it) {
      const std::string count = (*it)[1], noun = (*it)[4];
      const int n = count == "a" ? 1 : count == "two" ? 2 : count == "three" ? 3 : 4;
      const std::string singular = noun == "crosses"                      ? "cross"
                                  : noun != "cross" && noun.back() == 's' ? noun.substr(0, noun.size() - 1)
                                                                          : noun;
      EXPECT_EQ(n == 1, noun == singular) << cap;
      stated[std::string((*it)[2]) + " " + std::string((*it)[3]) + " " + singular] += n;
    }
    ASSERT_EQ(stated, expected) << "index " << i << ": " << cap;
    EXPECT_EQ(cap, synthetic_caption(scene_at(11, i)));
  }
}

TEST(ShapesCaptions, OriginalIsTerseDeterministicAndTrue) {
  std::map<std::string, int> forms;
  for (int64_t i = 0; i < 400; ++i) {
    const Scene scene = scene_at(2, i);
    const std::string cap = original_caption(scene, 2, i);
    EXPECT_EQ(cap, original_caption(scene, 2, i));
    EXPECT_EQ(cap.find("two"), std::string::npos) << "an original caption states no counts: " << cap;
    if (cap.size() > 7 && cap.substr(cap.size() - 7) == " things") {
      ++forms["colours"];
      for (Colour c : kColours) {
        const bool named = cap.find(colour_name(c)) != std::string::npos;
        const bool present = std::any_of(scene.objects.begin(), scene.objects.end(), [c](const Object& o) { return o.colour == c; });
        EXPECT_EQ(named, present) << cap;
      }
    } else if (cap == "shapes" || cap == "geometric shapes" || cap == "simple shapes" || cap == "an abstract picture") {
      ++forms["generic"];
    } else {
      ++forms["nouns or one object"];
      for (Shape s : kShapes) {
        if (cap.find(shape_name(s)) == std::string::npos) continue;
        EXPECT_TRUE(std::any_of(scene.objects.begin(), scene.objects.end(), [s](const Object& o) { return o.shape == s; }))
            << cap;
      }
    }
  }
  EXPECT_GT(forms["colours"], 50);
  EXPECT_GT(forms["generic"], 50);
  EXPECT_GT(forms["nouns or one object"], 100);
}

TEST(ShapesCaptions, ParsesTheCaptionChoice) {
  EXPECT_EQ(parse_caption_choice("original").kind, CaptionChoice::Kind::original);
  EXPECT_EQ(parse_caption_choice("synthetic").kind, CaptionChoice::Kind::synthetic);
  const CaptionChoice mix = parse_caption_choice("mix(0.5)");
  EXPECT_EQ(mix.kind, CaptionChoice::Kind::mix);
  EXPECT_DOUBLE_EQ(mix.p_synthetic, 0.5);
  EXPECT_DOUBLE_EQ(parse_caption_choice("mix(1)").p_synthetic, 1.0);
  EXPECT_DOUBLE_EQ(parse_caption_choice("mix(0)").p_synthetic, 0.0);
  EXPECT_EQ(to_string(mix), "mix(0.5)");
  EXPECT_EQ(to_string(parse_caption_choice("mix(0.25)")), "mix(0.25)");
  EXPECT_EQ(to_string(parse_caption_choice("original")), "original");
}

TEST(ShapesCaptions, RejectsBadCaptionChoicesNamingFileAndField) {
  for (const char* bad : {"", "Original", "mix", "mix()", "mix(1.5)", "mix(-0.1)", "mix(0.5", "mix(0.5) ", "mix( 0.5)",
                          "mix(nan)", "mix(inf)", "mix(0.5x)", "synthetic,original"}) {
    const std::string msg = rflab::testing::user_error_of([&] { parse_caption_choice(bad, "run.json", "data.caption"); });
    EXPECT_EQ(msg, std::string("run.json: data.caption: expected original, synthetic or mix(p) with p in [0, 1], got '") +
                       bad + "'")
        << bad;
  }
}

TEST(ShapesCaptions, MixChoosesSyntheticWithProbabilityP) {
  const CaptionChoice mix = parse_caption_choice("mix(0.3)");
  int synthetic = 0;
  for (int64_t i = 0; i < 10000; ++i) {
    const CaptionStyle s = style_for(mix, 5, i);
    EXPECT_EQ(s, style_for(mix, 5, i));
    synthetic += s == CaptionStyle::synthetic;
  }
  EXPECT_NEAR(synthetic, 3000, 230);  // 5 standard deviations
  EXPECT_EQ(style_for(parse_caption_choice("original"), 5, 1), CaptionStyle::original);
  EXPECT_EQ(style_for(parse_caption_choice("synthetic"), 5, 1), CaptionStyle::synthetic);
  const Scene scene = scene_at(5, 1);
  EXPECT_EQ(caption(scene, CaptionStyle::synthetic, 5, 1), synthetic_caption(scene));
  EXPECT_EQ(caption(scene, CaptionStyle::original, 5, 1), original_caption(scene, 5, 1));
}

}  // namespace
}  // namespace rflab::shapes
