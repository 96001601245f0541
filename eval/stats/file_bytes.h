// Whole-file reads and crash-safe whole-file writes for the statistics files: a reader sees
// either the old file or the complete new one, never a partial write. (core/io has the same
// for the torch half; eval/stats must build without it.)
#pragma once
#include <string>

namespace rflab::eval {

// Writes to path + ".tmp.<pid>", fsyncs, renames over `path`, fsyncs the directory. Creates
// missing parent directories. Throws UserError naming the file on failure.
void write_bytes_atomic(const std::string& path, const std::string& bytes);

// Throws UserError naming the file when it is missing or unreadable.
std::string read_bytes(const std::string& path);

}  // namespace rflab::eval
