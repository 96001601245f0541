#include "eval/stats/file_bytes.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "results/error.h"

namespace rflab::eval {

namespace {

[[noreturn]] void fail_errno(const std::string& path, const std::string& what, int err) {
  throw UserError(path + ": " + what + ": " + std::strerror(err));
}

// Closes and removes the temporary file, then reports the error that made us give up.
[[noreturn]] void abandon(int fd, const std::string& tmp, const std::string& what) {
  const int err = errno;
  if (fd >= 0) ::close(fd);
  ::unlink(tmp.c_str());
  fail_errno(tmp, what, err);
}

}  // namespace

void write_bytes_atomic(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(path + ": cannot create directory " + dir.string() + ": " + ec.message());

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno(tmp, "cannot open for writing", errno);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon(fd, tmp, "write failed");
    done += size_t(n);
  }
  if (::fsync(fd) != 0) abandon(fd, tmp, "fsync failed");
  if (::close(fd) != 0) abandon(-1, tmp, "close failed");
  if (::rename(tmp.c_str(), path.c_str()) != 0) abandon(-1, tmp, "cannot rename over " + path);
  // The rename is durable only once the directory entry is synced too.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UserError(path + ": file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno(path, "cannot open for reading", errno);
  // One read of the whole file: a character iterator costs ~0.2 s on a 32 MB covariance.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) fail_errno(path, "cannot determine its size", errno);
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in.read(bytes.data(), size) || in.gcount() != size) fail_errno(path, "read failed", errno);
  return bytes;
}

}  // namespace rflab::eval
