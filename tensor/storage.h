// Storage: one block of bytes on one device, shared by every tensor that views it.
// CPU memory is 64-byte aligned (a cache line, and the width of an AVX-512 register).
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

#include "tensor/device.h"

namespace dn {

class Storage {
 public:
  using Deleter = std::function<void(void*)>;

  // Fresh, uninitialised memory on `device`.
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device);
  // Memory owned by someone else (a memory-mapped file, say); `deleter` releases it.
  static std::shared_ptr<Storage> wrap(void* data, size_t nbytes, Device device, Deleter deleter);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  Storage(void* data, size_t nbytes, Device device, Deleter deleter)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}
  void* data_;
  size_t nbytes_;
  Device device_;
  Deleter deleter_;
};

// Statistics of the CPU allocator (for peak-memory reports).
struct CpuMemoryStats {
  size_t current_bytes = 0;
  size_t peak_bytes = 0;
  size_t allocations = 0;
};
CpuMemoryStats cpu_memory_stats();
void reset_cpu_peak_memory();

}  // namespace dn
