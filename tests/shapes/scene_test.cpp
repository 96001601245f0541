// The scene generator: a pure function of (seed, index), obeying the overlap rule, with disjoint
// splits.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/data/shapes/scene.h"

namespace rflab::shapes {
namespace {

bool same(const Scene& a, const Scene& b) {
  if (a.background != b.background || a.objects.size() != b.objects.size()) return false;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const Object &p = a.objects[i], &q = b.objects[i];
    if (p.shape != q.shape || p.colour != q.colour || p.size != q.size || p.x != q.x || p.y != q.y) return false;
  }
  return true;
}

TEST(ShapesScene, SameSeedAndIndexGiveTheSameScene) {
  for (int64_t i : {0LL, 1LL, 12345LL, 2'000'000'007LL}) EXPECT_TRUE(same(scene_at(7, i), scene_at(7, i))) << i;
}

TEST(ShapesScene, AnotherIndexOrSeedGivesAnotherScene) {
  EXPECT_FALSE(same(scene_at(7, 3), scene_at(7, 4)));
  EXPECT_FALSE(same(scene_at(7, 3), scene_at(8, 3)));
}

// A few values pinned, so that a change of the generator (or a platform that maps words to
// ranges differently) shows up as a failure, not as a silently different dataset.
TEST(ShapesScene, PinnedValues) {
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFull);
  CounterRng rng(1, 2, 3);
  CounterRng again(1, 2, 3);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(rng.next(), again.next());
  const Scene s = scene_at(0, 0);
  ASSERT_FALSE(s.objects.empty());
  EXPECT_GE(s.background, kBackgroundMin);
  EXPECT_LT(s.background, kBackgroundMax);
}

TEST(ShapesScene, RangesOfTheCounterStream) {
  CounterRng rng(3, 9, 1);
  std::map<int, int> hist;
  for (int i = 0; i < 60000; ++i) {
    const int v = rng.below(6);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 6);
    ++hist[v];
    const double u = rng.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  for (const auto& [v, n] : hist) EXPECT_NEAR(n, 10000, 500) << v;  // ~5 standard deviations
}

TEST(ShapesScene, ObjectsObeyTheOverlapRuleAndStayInside) {
  std::map<size_t, int> counts;
  std::set<Shape> shapes;
  std::set<Colour> colours;
  for (int64_t i = 0; i < 5000; ++i) {
    const Scene s = scene_at(1, i);
    ASSERT_GE(s.objects.size(), 1u);
    ASSERT_LE(s.objects.size(), 4u);
    ++counts[s.objects.size()];
    for (size_t a = 0; a < s.objects.size(); ++a) {
      const Object& o = s.objects[a];
      shapes.insert(o.shape), colours.insert(o.colour);
      const double e = half_extent(o.size);
      EXPECT_GE(o.x - e, 0.0);
      EXPECT_LE(o.x + e, kImageSize);
      EXPECT_GE(o.y - e, 0.0);
      EXPECT_LE(o.y + e, kImageSize);
      for (size_t b = 0; b < a; ++b) EXPECT_TRUE(placement_allowed(o, s.objects[b])) << i;
    }
  }
  for (size_t n = 1; n <= 4; ++n) EXPECT_NEAR(counts[n], 1250, 150) << n << " objects";
  EXPECT_EQ(shapes.size(), size_t(kShapeCount));
  EXPECT_EQ(colours.size(), size_t(kColourCount));
}

TEST(ShapesScene, OverlapRule) {
  Object a{Shape::square, Colour::red, Size::small, 10, 10};
  Object b = a;
  b.colour = Colour::blue;
  b.x = 18;  // squares touch: allowed for different colours
  EXPECT_TRUE(placement_allowed(a, b));
  b.colour = Colour::red;  // the same colour needs a 2-px gap
  EXPECT_FALSE(placement_allowed(a, b));
  b.x = 20;
  EXPECT_TRUE(placement_allowed(a, b));
  b.x = 17.5, b.colour = Colour::green;  // overlapping squares: never
  EXPECT_FALSE(placement_allowed(a, b));
}

TEST(ShapesScene, SplitsAreDisjointRanges) {
  const Split all[] = {Split::train, Split::validation, Split::heldout};
  for (Split a : all) {
    EXPECT_GT(split_range(a).size(), 0);
    for (Split b : all) {
      if (a == b) continue;
      const IndexRange p = split_range(a), q = split_range(b);
      EXPECT_TRUE(p.end <= q.begin || q.end <= p.begin) << split_name(a) << " overlaps " << split_name(b);
    }
  }
  EXPECT_EQ(split_of(0), Split::train);
  EXPECT_EQ(split_of(999'999'999), Split::train);
  EXPECT_EQ(split_of(1'000'000'000), Split::validation);
  EXPECT_EQ(split_of(1'000'010'000), std::nullopt);
  EXPECT_EQ(split_of(2'000'000'000), Split::heldout);
  EXPECT_EQ(split_of(-1), std::nullopt);
}

// No held-out scene repeats one of the first training scenes (the positions are continuous, so a
// repeat would mean the index does not reach the generator).
TEST(ShapesScene, HeldOutScenesAreNotTrainingScenes) {
  std::set<std::pair<double, double>> train;
  for (int64_t i = 0; i < 20000; ++i) train.insert({scene_at(0, i).objects[0].x, scene_at(0, i).objects[0].y});
  const IndexRange h = split_range(Split::heldout);
  for (int64_t i = h.begin; i < h.end; ++i)
    EXPECT_EQ(train.count({scene_at(0, i).objects[0].x, scene_at(0, i).objects[0].y}), 0u) << i;
}

}  // namespace
}  // namespace rflab::shapes
