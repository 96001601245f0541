#include "eval/stats/fid_operand.h"

#include <gtest/gtest.h>

#include <fstream>

#include "eval/stats/npy.h"
#include "eval/stats/npz.h"
#include "results/error.h"
#include "tests/eval/stats/stats_test_util.h"

namespace rflab::eval {
namespace {

using testing::normal_features;
using testing::temp_path;

TEST(FidOperand, FeaturesAndTheirSavedStatisticsGiveTheSameFid) {
  const Eigen::MatrixXd a = normal_features(120, 10, 1), b = normal_features(90, 10, 2, 0.4);
  const std::string fa = temp_path("op_a.npy"), fb = temp_path("op_b.npy"),
                    sb = temp_path("op_b.npz");
  write_npy(fa, a);
  write_npy(fb, b);
  write_stats_npz(sb, gaussian_stats(b));
  const FidOperand oa = load_fid_operand(fa), ob = load_fid_operand(fb), osb = load_fid_operand(sb);
  ASSERT_TRUE(oa.features.has_value());
  EXPECT_FALSE(osb.features.has_value());
  EXPECT_EQ(osb.stats.n, 90);
  const double want = frechet_distance(a, b);
  EXPECT_EQ(fid_between(oa, ob), want);
  EXPECT_NEAR(fid_between(oa, osb), want, 1e-10 * want);
}

TEST(FidOperand, TwoFeatureFilesUseTheExactRouteBelowFullRank) {
  const Eigen::MatrixXd a = normal_features(8, 30, 3), b = normal_features(9, 30, 4);
  const std::string fa = temp_path("rank_a.npy"), fb = temp_path("rank_b.npy");
  write_npy(fa, a);
  write_npy(fb, b);
  EXPECT_EQ(fid_between(load_fid_operand(fa), load_fid_operand(fb)),
            frechet_distance(a, b, FrechetRoute::gram));
}

TEST(FidOperand, RejectsOneDimensionalFeatures) {
  EXPECT_THROW(load_fid_operand(testing::fixture("vec_f8.npy")), UserError);
}

TEST(FidOperand, RejectsOtherFormats) {
  const std::string path = temp_path("text.npy");
  std::ofstream(path) << "1 2 3\n";
  try {
    load_fid_operand(path);
    FAIL() << "accepted a text file";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(FidOperand, UnequalDimensionsNameBothFiles) {
  const std::string fa = temp_path("dim_a.npz"), fb = temp_path("dim_b.npz");
  write_stats_npz(fa, gaussian_stats(normal_features(5, 3, 1)));
  write_stats_npz(fb, gaussian_stats(normal_features(5, 4, 2)));
  try {
    fid_between(load_fid_operand(fa), load_fid_operand(fb));
    FAIL() << "accepted unequal dimensions";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("dim_a.npz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dim_b.npz"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace rflab::eval
