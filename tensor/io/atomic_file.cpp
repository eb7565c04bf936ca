#include "tensor/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tensor/error.h"

namespace dn::io {

namespace {

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes the rename itself durable: the directory entry lives in the directory's data.
void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: some file systems refuse to open directories
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_bytes(std::FILE* out, const void* data, size_t size, const std::string& path) {
  if (size == 0) return;
  DN_CHECK(std::fwrite(data, 1, size, out) == size, "write ", path, ": ", std::strerror(errno));
}

void write_file_atomic(const std::string& path, const std::function<void(std::FILE*)>& write_body) {
  DN_CHECK(!path.empty(), "write: empty file name");
  // mkstemp creates a fresh file with a unique name, so concurrent writers never collide.
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(temp.data());
  DN_CHECK(fd >= 0, "write ", path, ": cannot create a temporary file in ", directory_of(path),
           ": ", std::strerror(errno));
  std::FILE* out = ::fdopen(fd, "wb");
  if (!out) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail("write ", path, ": ", std::strerror(err));
  }
  try {
    write_body(out);
    DN_CHECK(std::fflush(out) == 0, "write ", path, ": ", std::strerror(errno));
    DN_CHECK(::fsync(::fileno(out)) == 0, "write ", path, ": fsync failed: ", std::strerror(errno));
    std::FILE* closing = out;
    out = nullptr;
    DN_CHECK(std::fclose(closing) == 0, "write ", path, ": ", std::strerror(errno));
    // mkstemp makes the file 0600: keep the permissions of the file being replaced, or
    // give a new one the usual 0644 (reading umask would mean changing it, racing threads).
    struct stat old {};
    ::chmod(temp.c_str(), ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644);
    DN_CHECK(std::rename(temp.c_str(), path.c_str()) == 0, "write ", path,
             ": cannot rename the temporary file into place: ", std::strerror(errno));
  } catch (...) {
    if (out) std::fclose(out);
    ::unlink(temp.c_str());
    throw;
  }
  sync_directory(directory_of(path));
}

}  // namespace dn::io
