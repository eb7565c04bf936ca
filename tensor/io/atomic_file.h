// Atomic file writes: the new content goes to a temporary file beside the target, is
// flushed to the disk (fflush, then fsync), and only then renamed over the target. rename()
// within one directory is atomic on POSIX file systems, so a reader (or a crash, or a full
// disk) sees either the old file or the complete new one, never a half-written file.
#pragma once
#include <cstdio>
#include <functional>
#include <string>

namespace dn::io {

// Calls write_body with a stream open on a temporary file in path's directory, then
// publishes it under `path`. Any failure (an exception from write_body, a short write, a
// failed fsync or rename) removes the temporary file, leaves `path` untouched, and throws
// dn::Error naming the path.
void write_file_atomic(const std::string& path, const std::function<void(std::FILE*)>& write_body);

// Writes `size` bytes to `out`, throwing dn::Error naming `path` on a short write.
void write_bytes(std::FILE* out, const void* data, size_t size, const std::string& path);

}  // namespace dn::io
