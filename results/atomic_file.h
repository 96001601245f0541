// Whole-file reads and crash-safe writes. write_file_atomic leaves either the old file or the
// complete new one at `path`, never a partial one, even if the process dies mid-write.
#pragma once
#include <string>

namespace rflab::results {

// Writes `bytes` to path + ".tmp.<pid>", fsyncs it, renames it over `path` and fsyncs the
// directory. Creates missing parent directories. Throws UserError naming the file on failure.
void write_file_atomic(const std::string& path, const std::string& bytes);

// The whole file as bytes. Throws UserError naming the file when it is missing or unreadable.
std::string read_file(const std::string& path);

}  // namespace rflab::results
