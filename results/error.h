// Error kinds shared by every folder. A UserError is bad input (a file, a field, a flag): the
// command line prints it and exits 1 without writing anything partial. A UsageError is a
// malformed command line: usage is printed and the exit status is 2.
#pragma once
#include <stdexcept>
#include <string>

namespace rflab {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "FILE: FIELD: expected WHAT, got GOT" — the one shape of every input-validation message.
std::string input_error_message(const std::string& file, const std::string& field,
                                const std::string& expected, const std::string& got);

[[noreturn]] void throw_input_error(const std::string& file, const std::string& field,
                                    const std::string& expected, const std::string& got);

}  // namespace rflab
