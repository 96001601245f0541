// Gaussian statistics as .npz in the pytorch-fid format: members `mu` (d,) and `sigma` (d, d),
// plus an optional `n` (int64 scalar, the sample count) that pytorch-fid ignores.
#pragma once
#include <string>

#include "eval/stats/frechet.h"

namespace rflab::eval {

// Accepts stored or deflated archives (np.savez, np.savez_compressed). n is 0 when the file
// has no `n`. Throws UserError naming the file and the member on anything malformed.
GaussianStats read_stats_npz(const std::string& path);
// The same from the archive's bytes; `where` names the source in errors.
GaussianStats decode_stats_npz(const std::string& bytes, const std::string& where);

// Stored (uncompressed) archive, float64, written atomically; `n` only when stats.n > 0.
void write_stats_npz(const std::string& path, const GaussianStats& stats);

}  // namespace rflab::eval
