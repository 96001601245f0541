// Where a run's numbers came from, as far as the torch-free half can tell: the source commit,
// whether the checkout had uncommitted changes, and the host. The caller adds the libtorch
// version, BLAS, device and thread count, which only the torch half knows.
#pragma once
#include <string>

#include "results/store.h"

namespace rflab::results {

// git_commit is "unknown" (and git_dirty false) when repo_dir is not a git checkout or git is
// missing. Dirty means `git status --porcelain` lists anything, untracked files included, since
// an untracked source file is globbed into the build.
Provenance collect_provenance(const std::string& repo_dir);

}  // namespace rflab::results
