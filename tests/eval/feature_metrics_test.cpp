#include "eval/feature_metrics.h"

#include <gtest/gtest.h>

#include <random>

#include "eval/stats/frechet.h"
#include "results/error.h"

namespace rflab::eval {
namespace {

Eigen::MatrixXd column(std::vector<double> v) {
  Eigen::MatrixXd m(v.size(), 1);
  for (size_t i = 0; i < v.size(); ++i) m(i, 0) = v[i];
  return m;
}

// Real points 0,1,2,3 and a far pair 20,21; generated 0.5, 2.9, 3.2 and an outlier at 10.
const Eigen::MatrixXd kReal = column({0, 1, 2, 3, 20, 21});
const Eigen::MatrixXd kGen = column({0.5, 2.9, 3.2, 10});

TEST(KnnManifolds, HandComputedAtK1) {
  // Real radii all 1; generated radii 2.4, 0.3, 0.3, 6.8.
  const auto pr = precision_recall(kReal, kGen, 1);
  EXPECT_DOUBLE_EQ(pr.precision, 3.0 / 4.0);  // 10 lies in no real ball
  EXPECT_DOUBLE_EQ(pr.recall, 4.0 / 6.0);     // 20 and 21 lie in no generated ball
  const auto dc = density_coverage(kReal, kGen, 1);
  EXPECT_DOUBLE_EQ(dc.density, 5.0 / 4.0);    // ball counts 2, 2, 1, 0
  EXPECT_DOUBLE_EQ(dc.coverage, 4.0 / 6.0);   // balls of 0..3 hold a sample
  EXPECT_EQ(pr.k, 1);
  EXPECT_EQ(dc.k, 1);
}

TEST(KnnManifolds, HandComputedAtK2) {
  // Real radii 2, 1, 1, 2, 17, 18; generated radii 2.7, 2.4, 2.7, 7.1.
  const auto pr = precision_recall(kReal, kGen, 2);
  EXPECT_DOUBLE_EQ(pr.precision, 1.0);        // 10 is inside the wide balls of 20 and 21
  EXPECT_DOUBLE_EQ(pr.recall, 4.0 / 6.0);
  const auto dc = density_coverage(kReal, kGen, 2);
  EXPECT_DOUBLE_EQ(dc.density, 9.0 / 8.0);    // ball counts 2, 2, 3, 2 over k * M = 8
  EXPECT_DOUBLE_EQ(dc.coverage, 1.0);
}

TEST(KnnManifolds, BallsAreClosed) {
  // The generated point sits exactly on the boundary of the real balls (radius 1).
  const auto pr = precision_recall(column({0, 1}), column({2, 5}), 1);
  EXPECT_DOUBLE_EQ(pr.precision, 0.5);
}

TEST(KnnManifolds, IdenticalSetsArePreciseRecalledAndCovered) {
  std::mt19937_64 g(1);
  std::normal_distribution<double> n;
  Eigen::MatrixXd x(200, 4);
  for (int i = 0; i < x.rows(); ++i)
    for (int j = 0; j < x.cols(); ++j) x(i, j) = n(g);
  PrecisionRecall pr;
  DensityCoverage dc;
  knn_manifold_metrics(x, x, 5, &pr, &dc);
  EXPECT_DOUBLE_EQ(pr.precision, 1.0);
  EXPECT_DOUBLE_EQ(pr.recall, 1.0);
  EXPECT_DOUBLE_EQ(dc.coverage, 1.0);
}

TEST(KnnManifolds, MoreThanOneBlockMatchesTheDefinitionByBruteForce) {
  std::mt19937_64 g(2);
  std::normal_distribution<double> n;
  Eigen::MatrixXd r(300, 3), f(280, 3);
  for (int i = 0; i < r.rows(); ++i)
    for (int j = 0; j < 3; ++j) r(i, j) = n(g);
  for (int i = 0; i < f.rows(); ++i)
    for (int j = 0; j < 3; ++j) f(i, j) = 0.7 + 1.3 * n(g);
  const int k = 3;
  auto radius = [&](const Eigen::MatrixXd& x, int i) {
    std::vector<double> d;
    for (int j = 0; j < x.rows(); ++j)
      if (j != i) d.push_back((x.row(i) - x.row(j)).norm());
    std::sort(d.begin(), d.end());
    return d[k - 1];
  };
  std::vector<double> rr(r.rows()), fr(f.rows());
  for (int i = 0; i < r.rows(); ++i) rr[i] = radius(r, i);
  for (int i = 0; i < f.rows(); ++i) fr[i] = radius(f, i);
  int precise = 0, recalled = 0, covered = 0, held = 0;
  for (int j = 0; j < f.rows(); ++j) {
    int c = 0;
    for (int i = 0; i < r.rows(); ++i) c += (f.row(j) - r.row(i)).norm() <= rr[i];
    precise += c > 0;
    held += c;
  }
  for (int i = 0; i < r.rows(); ++i) {
    bool rec = false, cov = false;
    for (int j = 0; j < f.rows(); ++j) {
      const double d = (f.row(j) - r.row(i)).norm();
      rec = rec || d <= fr[j];
      cov = cov || d <= rr[i];
    }
    recalled += rec;
    covered += cov;
  }
  PrecisionRecall pr;
  DensityCoverage dc;
  knn_manifold_metrics(r, f, k, &pr, &dc);
  EXPECT_DOUBLE_EQ(pr.precision, double(precise) / f.rows());
  EXPECT_DOUBLE_EQ(pr.recall, double(recalled) / r.rows());
  EXPECT_DOUBLE_EQ(dc.density, double(held) / (k * f.rows()));
  EXPECT_DOUBLE_EQ(dc.coverage, double(covered) / r.rows());
}

// A reference's radii computed once and passed in give the figures computed from scratch, bit for bit.
TEST(KnnManifolds, PrecomputedReferenceRadiiGiveTheSameFigures) {
  std::mt19937_64 g(5);
  std::normal_distribution<double> n;
  Eigen::MatrixXd r(600, 4), f(120, 4);
  for (int i = 0; i < r.rows(); ++i)
    for (int j = 0; j < 4; ++j) r(i, j) = n(g);
  for (int i = 0; i < f.rows(); ++i)
    for (int j = 0; j < 4; ++j) f(i, j) = 0.3 + n(g);
  const Eigen::VectorXd radii = knn_radii_sq(r, 5);
  ASSERT_EQ(radii.size(), r.rows());
  for (int i : {0, 299, 599}) {  // the 5th nearest other row, by brute force
    std::vector<double> d;
    for (int j = 0; j < r.rows(); ++j)
      if (j != i) d.push_back((r.row(i) - r.row(j)).squaredNorm());
    std::nth_element(d.begin(), d.begin() + 4, d.end());
    EXPECT_NEAR(radii[i], d[4], 1e-12 * (1 + d[4]));
  }
  const auto fresh = feature_metrics(r, f);
  const auto cached = feature_metrics(r, f, {}, &radii);
  EXPECT_EQ(fresh.pr.precision, cached.pr.precision);
  EXPECT_EQ(fresh.pr.recall, cached.pr.recall);
  EXPECT_EQ(fresh.dc.density, cached.dc.density);
  EXPECT_EQ(fresh.dc.coverage, cached.dc.coverage);
  const auto floor_fresh = noise_floor(r, f, 50), floor_cached = noise_floor(r, f, 50, {}, &radii);
  EXPECT_EQ(floor_fresh.pr.precision, floor_cached.pr.precision);
  EXPECT_EQ(floor_fresh.dc.coverage, floor_cached.dc.coverage);
  const Eigen::VectorXd wrong(3);
  EXPECT_THROW(feature_metrics(r, f, {}, &wrong), std::invalid_argument);
}

TEST(KnnManifolds, RejectsKNotBelowEitherN) {
  EXPECT_THROW(precision_recall(kReal, kGen, 4), UserError);  // 4 generated points
  EXPECT_THROW(precision_recall(kReal, kGen, 0), UserError);
  EXPECT_THROW(precision_recall(kReal, Eigen::MatrixXd::Zero(4, 2), 1), UserError);
}

TEST(FeatureMetrics, CarryTheirNAndAgreeWithEvalStats) {
  std::mt19937_64 g(3);
  std::normal_distribution<double> n;
  Eigen::MatrixXd a(120, 5), b(90, 5);
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < 5; ++j) a(i, j) = n(g);
  for (int i = 0; i < b.rows(); ++i)
    for (int j = 0; j < 5; ++j) b(i, j) = 0.5 + n(g);
  FeatureMetricsOptions o;
  o.kid_subsets = 10;
  o.kid_subset_size = 50;
  const auto m = feature_metrics(a, b, o);
  EXPECT_EQ(m.n_real, 120);
  EXPECT_EQ(m.n_generated, 90);
  EXPECT_EQ(m.dim, 5);
  EXPECT_DOUBLE_EQ(m.fd, frechet_distance(a, b));
  EXPECT_DOUBLE_EQ(m.kid.mean, kid(a, b, 10, 50, 0).mean);
  const auto j = m.to_json();
  EXPECT_EQ(j.at("n_generated"), 90);
  EXPECT_EQ(j.at("k"), 5);
}

TEST(NoiseFloor, OfASetAgainstAllOfItselfIsZero) {
  std::mt19937_64 g(4);
  std::normal_distribution<double> n;
  Eigen::MatrixXd a(60, 3);
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < 3; ++j) a(i, j) = n(g);
  FeatureMetricsOptions o;
  o.kid_subsets = 5;
  o.kid_subset_size = 30;
  const auto m = noise_floor(a, a, 60, o);  // the draw is a permutation of a
  EXPECT_NEAR(m.fd, 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(m.pr.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.pr.recall, 1.0);
  EXPECT_EQ(m.n_generated, 60);
}

TEST(NoiseFloor, DrawsNRowsAndRejectsMoreThanThePool) {
  const Eigen::MatrixXd pool = Eigen::MatrixXd::Random(50, 2), ref = Eigen::MatrixXd::Random(40, 2);
  FeatureMetricsOptions o;
  o.kid_subsets = 2;
  EXPECT_EQ(noise_floor(ref, pool, 20, o).n_generated, 20);
  EXPECT_THROW(noise_floor(ref, pool, 51, o), UserError);
}

TEST(ToMatrix, CopiesRowsInOrder) {
  auto t = torch::tensor({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  const auto m = to_matrix(t);
  ASSERT_EQ(m.rows(), 2);
  EXPECT_EQ(m(1, 0), 4.0);
  EXPECT_EQ(m(0, 2), 3.0);
}

}  // namespace
}  // namespace rflab::eval
