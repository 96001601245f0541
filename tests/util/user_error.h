// The message of the UserError a call throws, for tests that check what a message says.
#pragma once
#include <functional>
#include <string>

#include "results/error.h"

namespace rflab::testing {

// what() of the UserError `f` throws, or "" when it throws none.
inline std::string user_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace rflab::testing
