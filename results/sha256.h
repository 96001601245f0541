// SHA-256 (FIPS 180-4) of a byte string or a file, as 64 lowercase hex digits. Used to identify
// run configs and artifacts; a self-contained implementation keeps results/ free of crypto deps.
#pragma once
#include <string>

namespace rflab::results {

std::string sha256_hex(const std::string& bytes);

// Streams the file; throws std::runtime_error naming the path when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace rflab::results
