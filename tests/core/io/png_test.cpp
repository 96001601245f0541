#include "core/io/png.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "results/atomic_file.h"
#include "results/error.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using namespace rflab::core;
using rflab::results::read_file;
using rflab::results::write_file_atomic;

namespace {

using rflab::testing::TempDir;
}  // namespace

TEST(MakeGrid, PlacesImageKAtRowKDivNrowColumnKModNrow) {
  const int64_t n = 7, nrow = 3, pad = 2, h = 4, w = 5;
  // Image k is constant (k / 10) * 2 - 1, so its grid value is k / 10.
  torch::Tensor images = torch::empty({n, 1, h, w});
  for (int64_t k = 0; k < n; ++k) images[k].fill_(k / 10.0 * 2 - 1);
  torch::Tensor grid = make_grid(images, nrow, pad);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{1, 3 * (h + pad) + pad, 3 * (w + pad) + pad}));
  for (int64_t k = 0; k < n; ++k) {
    int64_t y = pad + (k / nrow) * (h + pad), x = pad + (k % nrow) * (w + pad);
    torch::Tensor cell = grid[0].narrow(0, y, h).narrow(1, x, w);
    EXPECT_TRUE(torch::allclose(cell, torch::full_like(cell, k / 10.0), 0, 1e-6)) << "image " << k;
  }
  // Padding and the empty cells (k = 7, 8) are black: all mass is inside the images.
  double inside = 0;
  for (int64_t k = 0; k < n; ++k) inside += k / 10.0 * h * w;
  EXPECT_NEAR(grid.sum().item<double>(), inside, 1e-4);
}

TEST(MakeGrid, MapsMinusOneToOneOntoZeroToOneAndClamps) {
  torch::Tensor images = torch::tensor({-1.0f, 0.0f, 1.0f, 3.0f}).reshape({1, 1, 1, 4});
  torch::Tensor grid = make_grid(images, 1, 0);
  EXPECT_TRUE(torch::allclose(grid.flatten(), torch::tensor({0.0f, 0.5f, 1.0f, 1.0f})));
}

TEST(Png, FloatImageRoundTripsToQuantisedValues) {
  TempDir tmp;
  torch::manual_seed(1);
  torch::Tensor img = torch::rand({3, 6, 9});
  std::string path = tmp.path("rgb.png");
  write_png(path, img);
  torch::Tensor back = read_png(path);
  ASSERT_EQ(back.sizes(), (std::vector<int64_t>{6, 9, 3}));
  torch::Tensor expected = img.mul(255).round().to(torch::kUInt8).permute({1, 2, 0});
  EXPECT_TRUE(torch::equal(back, expected));
}

TEST(Png, Uint8GrayImageRoundTripsExactly) {
  TempDir tmp;
  torch::Tensor img = torch::arange(0, 240, torch::kInt64).to(torch::kUInt8).reshape({12, 20, 1});
  std::string path = tmp.path("gray.png");
  write_png(path, img);
  EXPECT_TRUE(torch::equal(read_png(path), img));
}

TEST(Png, OutOfRangeFloatsAreClamped) {
  TempDir tmp;
  torch::Tensor img = torch::tensor({-0.5f, 2.0f}).reshape({1, 1, 2});
  std::string path = tmp.path("clamp.png");
  write_png(path, img);
  torch::Tensor back = read_png(path);
  EXPECT_EQ(back[0][0][0].item<int>(), 0);
  EXPECT_EQ(back[0][1][0].item<int>(), 255);
}

TEST(Png, WrongLayoutIsRejected) {
  TempDir tmp;
  EXPECT_THROW(write_png(tmp.path("bad.png"), torch::rand({2, 4, 4})), std::invalid_argument);
  EXPECT_THROW(write_png(tmp.path("bad.png"), torch::rand({4, 4})), std::invalid_argument);
}

TEST(Png, NonPngFileIsUserErrorNamingIt) {
  TempDir tmp;
  std::string path = tmp.path("not.png");
  write_file_atomic(path, "definitely not a png");
  try {
    read_png(path);
    FAIL() << "expected UserError";
  } catch (const rflab::UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}
