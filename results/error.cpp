#include "results/error.h"

namespace rflab {

std::string input_error_message(const std::string& file, const std::string& field,
                                const std::string& expected, const std::string& got) {
  std::string msg;
  if (!file.empty()) msg += file + ": ";
  if (!field.empty()) msg += field + ": ";
  msg += "expected " + expected;
  if (!got.empty()) msg += ", got " + got;
  return msg;
}

void throw_input_error(const std::string& file, const std::string& field,
                       const std::string& expected, const std::string& got) {
  throw UserError(input_error_message(file, field, expected, got));
}

}  // namespace rflab
