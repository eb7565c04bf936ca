// Reading entries of a zip archive (through libzip), with the sizes checked before any
// memory is allocated for them.
//
// A zip archive is a sequence of entries (a local header, then the entry's bytes, stored
// or compressed) followed by a central directory listing every entry's name, sizes, CRC-32
// and compression method. libzip reads the central directory; this class adds the checks
// that matter for hostile files: an entry's declared size must be plausible for the
// archive's size (so a forged header cannot make us allocate terabytes), only the stored
// and deflate methods are accepted, and encrypted entries are refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dn::io {

class ZipArchive {
 public:
  // Both throw dn::Error naming the archive when it is not a readable zip file.
  static ZipArchive open_file(const std::string& path);
  // The bytes must outlive the archive; `origin` names them in errors.
  static ZipArchive open_memory(const uint8_t* data, size_t size, const std::string& origin);

  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  const std::string& origin() const { return origin_; }
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;

  // The uncompressed size of an entry, checked as above. Throws if the entry is missing.
  uint64_t entry_size(const std::string& name) const;
  // Reads the whole entry into `dest`, which holds exactly entry_size(name) bytes; the
  // CRC-32 is verified.
  void read(const std::string& name, void* dest, uint64_t size) const;
  // A small text entry (at most max_size bytes).
  std::string read_text(const std::string& name, uint64_t max_size) const;

 private:
  struct Handle;
  ZipArchive(std::unique_ptr<Handle> handle, std::string origin, uint64_t archive_size);
  uint64_t index_of(const std::string& name) const;
  std::unique_ptr<Handle> handle_;
  std::string origin_;
  uint64_t archive_size_ = 0;
};

}  // namespace dn::io
