// Whether a git executable is on PATH, for tests that build a repository to read from.
#pragma once
#include <cstdlib>

namespace rflab::testing {

inline bool git_available() { return std::system("git --version >/dev/null 2>&1") == 0; }

}  // namespace rflab::testing
