// Scratch memory on a device for the duration of one op, from the caching allocator.
// Giving it back while kernels that use it are still queued is fine: the next user of the
// block is queued behind them on the same stream (allocator.cpp).
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "tensor/cuda/check.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/runtime.h"

namespace dn::cuda {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(size_t nbytes, int device) : ptr_(allocate(nbytes, device)), device_(device) {}
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(device_, o.device_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { deallocate(ptr_, device_); }

  void* get() const { return ptr_; }
  template <class T> T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  int device_ = 0;
};

// Small host tables (an op's plan) gathered and sent to the device in one transfer:
//   HostTables t; size_t a = t.add(vec_a), b = t.add(vec_b); t.send(ctx, op);
//   kernel(t.at<A>(a), t.at<B>(b));
class HostTables {
 public:
  template <class V>
  size_t add(const std::vector<V>& v) {
    const size_t offset = (bytes_.size() + 15) / 16 * 16;  // 16-byte aligned tables
    bytes_.resize(offset + v.size() * sizeof(V));
    if (!v.empty()) std::memcpy(bytes_.data() + offset, v.data(), v.size() * sizeof(V));
    return offset;
  }
  void send(const DeviceContext& ctx, const char* op) {
    buffer_ = DeviceBuffer(std::max<size_t>(bytes_.size(), 16), ctx.device);
    if (bytes_.empty()) return;
    DN_CUDA_CHECK(op, cudaMemcpyAsync(buffer_.get(), bytes_.data(), bytes_.size(),
                                      cudaMemcpyHostToDevice, ctx.stream));
    // bytes_ may go away once we return: wait for the copy, whatever the host memory is.
    DN_CUDA_CHECK(op, cudaStreamSynchronize(ctx.stream));
  }
  template <class V>
  V* at(size_t offset) const {
    return reinterpret_cast<V*>(static_cast<char*>(buffer_.get()) + offset);
  }

 private:
  std::vector<char> bytes_;
  DeviceBuffer buffer_;
};

}  // namespace dn::cuda
