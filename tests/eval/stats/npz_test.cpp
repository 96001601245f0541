#include "eval/stats/npz.h"

#include <gtest/gtest.h>

#include <fstream>

#include "eval/stats/file_bytes.h"
#include "eval/stats/zip.h"
#include "results/error.h"
#include "tests/eval/stats/stats_test_util.h"
#include "tests/util/user_error.h"

namespace rflab::eval {
namespace {

using testing::fixture;
using testing::temp_path;

using rflab::testing::user_error_of;

GaussianStats sample_stats() { return gaussian_stats(testing::normal_features(50, 6, 17, 0.5)); }

TEST(StatsNpz, RoundTripsStatisticsAndSampleCount) {
  const GaussianStats s = sample_stats();
  const std::string path = temp_path("stats.npz");
  write_stats_npz(path, s);
  const GaussianStats back = read_stats_npz(path);
  EXPECT_EQ(back.mu, s.mu);
  EXPECT_EQ(back.sigma, s.sigma);
  EXPECT_EQ(back.n, 50);
}

TEST(StatsNpz, UnknownSampleCountIsNotWritten) {
  GaussianStats s = sample_stats();
  s.n = 0;
  const std::string path = temp_path("stats_no_n.npz");
  write_stats_npz(path, s);
  const auto members = read_zip(read_bytes(path), path);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].name, "mu.npy");
  EXPECT_EQ(members[1].name, "sigma.npy");
  EXPECT_EQ(read_stats_npz(path).n, 0);
}

TEST(StatsNpz, ReadsNumpySavez) {
  const GaussianStats s = read_stats_npz(fixture("ref5_a.npz"));
  EXPECT_EQ(s.mu.size(), 5);
  EXPECT_EQ(s.sigma.rows(), 5);
  EXPECT_EQ(s.sigma, s.sigma.transpose());
  EXPECT_EQ(s.n, 0);
}

TEST(StatsNpz, ReadsNumpySavezCompressedWithFloat32Mean) {
  const GaussianStats s = read_stats_npz(fixture("ref64_a.npz"));
  EXPECT_EQ(s.mu.size(), 64);
  EXPECT_EQ(s.sigma.cols(), 64);
  EXPECT_EQ(s.sigma, s.sigma.transpose());
  // float32 values widen exactly: each equals its own float rounding.
  for (int i = 0; i < 64; ++i) EXPECT_EQ(s.mu(i), double(float(s.mu(i))));
}

TEST(StatsNpz, RejectsMissingMuNamingFileAndMember) {
  const std::string msg = user_error_of([] { read_stats_npz(fixture("no_mu.npz")); });
  EXPECT_NE(msg.find("no_mu.npz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mu"), std::string::npos) << msg;
}

TEST(StatsNpz, RejectsSigmaNotMatchingMu) {
  const std::string msg = user_error_of([] { read_stats_npz(fixture("mismatch.npz")); });
  EXPECT_NE(msg.find("sigma"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 3)"), std::string::npos) << msg;
}

TEST(StatsNpz, RejectsANonZipFile) {
  const std::string msg = user_error_of([] { read_stats_npz(fixture("vec_f8.npy")); });
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
}

TEST(Zip, RejectsEveryTruncationOfAStoredArchive) {
  const std::string bytes = write_zip_stored({{"mu.npy", "abc"}, {"sigma.npy", "defgh"}});
  ASSERT_EQ(read_zip(bytes, "ok.npz").size(), 2u);
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_THROW(read_zip(bytes.substr(0, len), "cut.npz"), UserError) << "length " << len;
}

TEST(Zip, RejectsEveryTruncationOfANumpyCompressedArchive) {
  const std::string bytes = read_bytes(fixture("ref64_b.npz"));
  for (size_t len = 0; len < bytes.size(); len += 97)
    EXPECT_THROW(read_zip(bytes.substr(0, len), "cut.npz"), UserError) << "length " << len;
}

TEST(Zip, DetectsCorruptedMemberDataByCrc) {
  std::string bytes = write_zip_stored({{"mu.npy", "payload"}});
  bytes[30 + 6 + 2] ^= 0x01;  // inside the data, after the 30-byte header and the name
  const std::string msg = user_error_of([&] { read_zip(bytes, "bad.npz"); });
  EXPECT_NE(msg.find("CRC"), std::string::npos) << msg;
}

TEST(Zip, DetectsCorruptedDeflateStream) {
  std::string bytes = read_bytes(fixture("ref64_a.npz"));
  // The first member's deflated data follows its local header (name "mu.npy", 20-byte ZIP64 extra).
  for (size_t i = 30 + 6 + 20; i < 30 + 6 + 20 + 40; ++i) bytes[i] = char(0xff);
  EXPECT_THROW(read_zip(bytes, "bad.npz"), UserError);
}

}  // namespace
}  // namespace rflab::eval
