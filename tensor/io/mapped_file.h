// A whole file mapped into memory (mmap), for reading large checkpoints without copying them.
//
// The mapping is private and copy-on-write: tensors that view it may be modified, and the
// changes stay in this process (the file on disk never changes). Pages are read from disk
// lazily, when first touched. Tensors hold the mapping through a shared_ptr, so it is
// unmapped when the last of them goes away.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace dn::io {

class MappedFile {
 public:
  // Throws dn::Error naming the path when the file cannot be opened or mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(uint8_t* data, size_t size, std::string path)
      : data_(data), size_(size), path_(std::move(path)) {}
  uint8_t* data_;  // null for an empty file (mmap cannot map zero bytes)
  size_t size_;
  std::string path_;
};

}  // namespace dn::io
