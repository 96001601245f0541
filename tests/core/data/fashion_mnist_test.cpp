#include "core/data/fashion_mnist.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "results/atomic_file.h"
#include "core/io/idx.h"
#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using rflab::UserError;
using rflab::core::FashionMnist;

namespace {

// Loaded once for the whole suite: decoding 70000 images is the slow part of these tests.
const FashionMnist& data() {
  static const FashionMnist d = FashionMnist::load(FashionMnist::kDefaultRoot, 32);
  return d;
}

void expect_user_error_mentioning(const std::string& root, const std::vector<std::string>& needles) {
  try {
    FashionMnist::load(root);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "'" << n << "' not in: " << e.what();
  }
}

}  // namespace

TEST(FashionMnist, SplitSizesAndShapes) {
  EXPECT_EQ(data().train().images.sizes(), (std::vector<int64_t>{60000, 1, 32, 32}));
  EXPECT_EQ(data().train().labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(data().heldout().images.sizes(), (std::vector<int64_t>{10000, 1, 32, 32}));
  EXPECT_EQ(data().heldout().labels.sizes(), (std::vector<int64_t>{10000}));
  EXPECT_EQ(data().train().images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(data().train().labels.scalar_type(), torch::kInt64);
}

TEST(FashionMnist, LabelsCoverExactlyTenClasses) {
  for (const auto* set : {&data().train(), &data().heldout()}) {
    EXPECT_EQ(set->labels.min().item<int64_t>(), 0);
    EXPECT_EQ(set->labels.max().item<int64_t>(), 9);
  }
}

TEST(FashionMnist, HeldoutIsBalancedThousandPerClass) {
  torch::Tensor counts = torch::bincount(data().heldout().labels, {}, 10);
  EXPECT_TRUE(torch::equal(counts, torch::full({10}, 1000, torch::kInt64))) << counts;
}

TEST(FashionMnist, PixelsSpanMinusOneToOneOnTheByteGrid) {
  const torch::Tensor& x = data().heldout().images;
  EXPECT_EQ(x.min().item<float>(), -1.0f);
  EXPECT_EQ(x.max().item<float>(), 1.0f);
  // Every value is p/127.5 - 1 for an integer byte p.
  torch::Tensor p = (x + 1) * 127.5;
  EXPECT_LT((p - p.round()).abs().max().item<float>(), 1e-3);
}

TEST(FashionMnist, PaddedBorderIsExactlyMinusOne) {
  for (const auto* set : {&data().train(), &data().heldout()}) {
    const torch::Tensor x = set->images.select(1, 0);
    // Rows 0-1 and 30-31, then columns 0-1 and 30-31 of the middle rows.
    for (const torch::Tensor& strip : {x.narrow(1, 0, 2), x.narrow(1, 30, 2), x.narrow(1, 2, 28).narrow(2, 0, 2),
                                       x.narrow(1, 2, 28).narrow(2, 30, 2)})
      EXPECT_TRUE((strip == -1.0f).all().item<bool>());
    // The centre is not all background: the images really are there.
    EXPECT_GT(set->images.narrow(2, 2, 28).narrow(3, 2, 28).max().item<float>(), 0.9f);
  }
}

TEST(FashionMnist, LargerImageSizeCentresTheImages) {
  // The same pixels land at offset (S - 28) / 2 for another S; checked against S = 32.
  auto d = FashionMnist::load(FashionMnist::kDefaultRoot, 29);
  EXPECT_EQ(d.heldout().images.sizes(), (std::vector<int64_t>{10000, 1, 29, 29}));
  EXPECT_TRUE(torch::equal(d.heldout().images.narrow(2, 0, 28).narrow(3, 0, 28),
                           data().heldout().images.narrow(2, 2, 28).narrow(3, 2, 28)));
  EXPECT_TRUE((d.heldout().images.select(2, 28) == -1.0f).all().item<bool>());
}

TEST(FashionMnist, ImageSizeBelow28IsUserError) {
  EXPECT_THROW(FashionMnist::load(FashionMnist::kDefaultRoot, 27), UserError);
}

TEST(FashionMnist, MissingRootIsUserErrorNamingPathAndFix) {
  expect_user_error_mentioning("/nonexistent/fashion", {"/nonexistent/fashion", "apt-get install dataset-fashion-mnist"});
}

TEST(FashionMnist, TruncatedFileIsUserErrorNamingIt) {
  rflab::testing::TempDir tmp;
  const fs::path dir = tmp.path();
  for (const auto& e : fs::directory_iterator(FashionMnist::kDefaultRoot))
    fs::copy_file(e.path(), dir / e.path().filename());
  const std::string victim = (dir / "train-images-idx3-ubyte.gz").string();
  std::string bytes = rflab::results::read_file(victim);
  fs::remove(victim);
  rflab::results::write_file_atomic(victim, bytes.substr(0, 20000));
  expect_user_error_mentioning(dir.string(), {victim, "dataset-fashion-mnist"});
  fs::remove(dir / "t10k-labels-idx1-ubyte.gz");
  expect_user_error_mentioning(dir.string(), {"t10k-labels-idx1-ubyte.gz", "not found"});
}

TEST(FashionMnist, ClassNamesAndSynonyms) {
  ASSERT_EQ(FashionMnist::class_names().size(), 10u);
  EXPECT_EQ(FashionMnist::class_names()[0], "T-shirt/top");
  EXPECT_EQ(FashionMnist::class_names()[9], "Ankle boot");
  ASSERT_EQ(FashionMnist::synonyms().size(), 10u);
  for (const auto& s : FashionMnist::synonyms()) EXPECT_GE(s.size(), 2u);
  EXPECT_EQ(FashionMnist::canonical_caption(1), "a photo of a trouser");
  EXPECT_EQ(FashionMnist::canonical_caption(9), "a photo of a ankle boot");
}

TEST(FashionMnist, CaptionsDrawEverySynonymOfTheClass) {
  std::mt19937_64 rng(7);
  for (int64_t label = 0; label < 10; ++label) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) seen.insert(FashionMnist::caption(label, rng));
    std::set<std::string> expected;
    for (const auto& s : FashionMnist::synonyms()[label]) expected.insert("a photo of a " + s);
    EXPECT_EQ(seen, expected) << "label " << label;
  }
}

TEST(FashionMnist, CaptionsAreReproducibleFromTheSeed) {
  std::mt19937_64 a(11), b(11);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(FashionMnist::caption(i % 10, a), FashionMnist::caption(i % 10, b));
}

TEST(FashionMnist, LabelOutOfRangeThrows) {
  std::mt19937_64 rng(1);
  EXPECT_THROW(FashionMnist::caption(10, rng), std::out_of_range);
  EXPECT_THROW(FashionMnist::canonical_caption(-1), std::out_of_range);
}

TEST(FashionMnist, CentreHoldsTheRawBytesScaled) {
  torch::Tensor raw = rflab::core::read_idx(std::string(FashionMnist::kDefaultRoot) + "/t10k-images-idx3-ubyte.gz");
  torch::Tensor centre = data().heldout().images.select(1, 0).narrow(1, 2, 28).narrow(2, 2, 28);
  EXPECT_TRUE(torch::allclose(centre, raw.to(torch::kFloat32) / 127.5 - 1, 0, 1e-6));
  torch::Tensor raw_labels = rflab::core::read_idx(std::string(FashionMnist::kDefaultRoot) + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_TRUE(torch::equal(data().heldout().labels, raw_labels.to(torch::kInt64)));
}
