#include "eval/stats/npy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/stats/file_bytes.h"
#include "results/error.h"
#include "tests/eval/stats/stats_test_util.h"
#include "tests/util/user_error.h"

namespace rflab::eval {
namespace {

using testing::fixture;
using testing::temp_path;

// np.arange(12).reshape(4, 3) * 0.5 - 1, as written by make_fixtures.py.
Eigen::MatrixXd fixture_matrix() {
  Eigen::MatrixXd m(4, 3);
  for (int i = 0; i < 12; ++i) m(i / 3, i % 3) = i * 0.5 - 1.0;
  return m;
}

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The UserError message thrown by f, or "" when none is thrown.
using rflab::testing::user_error_of;

TEST(Npy, RoundTripsAMatrixExactly) {
  const Eigen::MatrixXd m = testing::normal_features(5, 7, 3);
  const std::string path = temp_path("round.npy");
  write_npy(path, m);
  EXPECT_EQ(read_npy(path), m);
}

TEST(Npy, RoundTripsAnEmptyMatrix) {
  const std::string path = temp_path("empty.npy");
  write_npy(path, Eigen::MatrixXd(0, 4));
  const Eigen::MatrixXd back = read_npy(path);
  EXPECT_EQ(back.rows(), 0);
  EXPECT_EQ(back.cols(), 4);
}

TEST(Npy, WritesAHeaderPaddedTo64BytesAsNumpyDoes) {
  const std::string bytes = encode_npy(Eigen::MatrixXd::Ones(2, 3));
  EXPECT_EQ((bytes.size() - 6 * sizeof(double)) % 64, 0u);
  EXPECT_EQ(bytes[bytes.size() - 6 * sizeof(double) - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  EXPECT_NE(encode_npy_vector(Eigen::VectorXd::Ones(4)).find("'shape': (4,)"), std::string::npos);
}

TEST(Npy, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
  const std::string path = temp_path("replace.npy");
  write_npy(path, Eigen::MatrixXd::Zero(2, 2));
  write_npy(path, Eigen::MatrixXd::Ones(3, 1));
  EXPECT_EQ(read_npy(path), Eigen::MatrixXd::Ones(3, 1));
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
}

TEST(Npy, ReadsNumpyFloat32InCOrder) {
  EXPECT_EQ(read_npy(fixture("feats_f4_c.npy")), fixture_matrix());
}

TEST(Npy, ReadsNumpyFortranOrderAsTheSameMatrix) {
  EXPECT_EQ(read_npy(fixture("feats_f4_fortran.npy")), fixture_matrix());
}

TEST(Npy, ReadsVersion2Header) {
  EXPECT_EQ(read_npy(fixture("feats_f8_v2.npy")), fixture_matrix());
}

TEST(Npy, ReadsOneDimensionalArrayAsColumn) {
  Eigen::MatrixXd want(3, 1);
  want << 1.5, -2.0, 3.25;
  EXPECT_EQ(read_npy(fixture("vec_f8.npy")), want);
}

TEST(Npy, DecodesIntegerScalar) {
  const NpyArray a = decode_npy(encode_npy_scalar_int64(1234567), "n.npy");
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.values(0, 0), 1234567.0);
}

TEST(Npy, RejectsScalarAsFeatureMatrix) {
  const std::string path = temp_path("scalar.npy");
  write_raw(path, encode_npy_scalar_int64(3));
  EXPECT_NE(user_error_of([&] { read_npy(path); }).find("shape"), std::string::npos);
}

TEST(Npy, RejectsBigEndianNamingFileAndDtype) {
  const std::string msg = user_error_of([] { read_npy(fixture("feats_f8_bigendian.npy")); });
  EXPECT_NE(msg.find("feats_f8_bigendian.npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dtype"), std::string::npos) << msg;
  EXPECT_NE(msg.find(">f8"), std::string::npos) << msg;
}

TEST(Npy, RejectsBadMagic) {
  const std::string path = temp_path("bad_magic.npy");
  write_raw(path, "PK\x03\x04 this is not an npy file");
  EXPECT_NE(user_error_of([&] { read_npy(path); }).find("magic"), std::string::npos);
}

TEST(Npy, RejectsEveryTruncation) {
  const std::string bytes = encode_npy(testing::normal_features(3, 2, 1));
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_THROW(decode_npy(bytes.substr(0, len), "cut.npy"), UserError) << "length " << len;
}

TEST(Npy, TruncatedDataMessageSaysTruncated) {
  const std::string bytes = encode_npy(Eigen::MatrixXd::Ones(4, 4));
  const std::string msg = user_error_of([&] { decode_npy(bytes.substr(0, bytes.size() - 8), "x.npy"); });
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Npy, RejectsTrailingBytes) {
  EXPECT_THROW(decode_npy(encode_npy(Eigen::MatrixXd::Ones(2, 2)) + "xx", "long.npy"), UserError);
}

TEST(Npy, RejectsMalformedHeaders) {
  const std::string good = encode_npy(Eigen::MatrixXd::Ones(2, 2));
  auto with_header = [&](std::string dict) {
    std::string h = good.substr(0, 10);
    dict.resize(good.size() - 32 - 10 - 1, ' ');
    return h + dict + "\n" + good.substr(good.size() - 32);
  };
  // Same length as the original header, so only the dict text differs.
  EXPECT_NO_THROW(decode_npy(with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"), "ok.npy"));
  for (const char* dict : {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }",
                           "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 2), }",
                           "{'descr': '<f8', 'shape': (2, 2), }",
                           "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }",
                           "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }",
                           "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
                           "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), 'x': 1}",
                           "['descr', '<f8']"})
    EXPECT_THROW(decode_npy(with_header(dict), "bad.npy"), UserError) << dict;
}

TEST(Npy, MissingFileNamesThePath) {
  const std::string msg = user_error_of([] { read_npy("/nonexistent/feats.npy"); });
  EXPECT_NE(msg.find("/nonexistent/feats.npy"), std::string::npos) << msg;
}

}  // namespace
}  // namespace rflab::eval

namespace rflab::eval {
namespace {

// C-order data is transposed in 64 x 64 tiles: shapes with partial tiles on both sides.
TEST(Npy, RoundTripsMatricesLargerThanATile) {
  for (const auto& [rows, cols] : {std::pair<int, int>{130, 70}, {1, 200}, {200, 1}, {64, 129}}) {
    Eigen::MatrixXd m(rows, cols);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) m(i, j) = i * 1000.0 + j + 0.25;
    EXPECT_EQ(decode_npy(encode_npy(m), "tiles.npy").values, m) << rows << " x " << cols;
  }
}

}  // namespace
}  // namespace rflab::eval
