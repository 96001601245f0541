// Step changes in a metric's history across commits, with the noise level taken from the seeds
// rather than from the commit-to-commit wiggle (which would hide the very steps we look for).
//
// Method. σ² is the pooled within-commit variance of the seed values over the whole series,
// Σ_i Σ_j (x_ij − x̄_i)² / ν with ν = Σ_i (n_i − 1). Binary segmentation from [0, n): for a
// segment [a, b) and each split k in (a, b),
//   t_k = (mean of all seed values of [k, b) − mean of all seed values of [a, k)) / (σ·sqrt(1/N_l + 1/N_r)),
// N_l, N_r the counts of seed values either side. The k of largest |t_k| (the first on ties) is
// tested: its two-sided Student-t p-value on ν degrees of freedom, times the b − a − 1 candidate
// splits (Bonferroni, capped at 1). It is accepted when p < alpha and |after − before| >= min_effect,
// and the search recurses on [a, k) and [k, b); otherwise the segment has no change point.
//
// σ == 0 (the seeds of every commit agree exactly): the split is still the argmax of
// |difference|/sqrt(1/N_l + 1/N_r); any nonzero difference is a change with t = ±inf and p = 0
// (subject to min_effect), a zero difference is none (t = 0, p = 1).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace rflab::reports {

struct SeriesPoint {            // one commit of a metric's history
  std::string label;            // e.g. the short commit
  std::vector<double> values;   // that commit's figure per seed (finite)
};

struct ChangePoint {
  size_t index = 0;             // the first point of the new level (1 <= index < series.size())
  double before = 0, after = 0; // means of the per-seed values of the segments either side (within the current segment of the recursion)
  double t = 0;                 // the split's t statistic
  double p_value = 1;           // Bonferroni-adjusted over the candidate splits of its segment
};

struct ChangePointOptions {
  double alpha = 0.01;          // family-wise level per segment
  double min_effect = 0;        // |after - before| must also reach this (absolute, the metric's units)
};

// The change points sorted by index; none for a series of fewer than 2 points. Throws
// std::invalid_argument on a point with no values or a non-finite value, on alpha outside (0, 1]
// or a negative or non-finite min_effect, and, for 2 or more points, when no commit has more than
// one seed (ν = 0: the seeds are needed for the noise level).
std::vector<ChangePoint> find_change_points(const std::vector<SeriesPoint>& series,
                                            const ChangePointOptions& options = {});

}  // namespace rflab::reports
