// The caching allocator behind Storage::allocate for CUDA tensors.
//
// cudaMalloc and cudaFree are slow (cudaFree waits for the whole device), and a training
// step frees and re-asks for the same sizes thousands of times. So a freed block is kept in
// a per-device cache and handed out again for a request of (about) its size. This is safe
// without any waiting because every op of a device runs on that device's one stream: the
// op that gets the block is queued after every op that used it before (runtime.h).
//
// Sizes are rounded up (512 B below 1 MiB, 2 MiB above) so that nearby requests share
// blocks. A cached block serves a request if it is at most 1/8 larger. When a request
// would pass the limit or the card is full, the whole cache goes back to the driver and the
// request is retried once; if it still does not fit, the error says how much is in use.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/cuda/check.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/runtime.h"
#include "tensor/settings.h"

namespace dn::cuda {

namespace {

constexpr size_t kSmallLimit = size_t(1) << 20;   // below: 512-byte granules
constexpr size_t kSmallGranule = 512;
constexpr size_t kLargeGranule = size_t(2) << 20;

size_t rounded_size(size_t n) {
  const size_t g = n < kSmallLimit ? kSmallGranule : kLargeGranule;
  return (n + g - 1) / g * g;
}

struct DeviceCache {
  std::multimap<size_t, void*> free_blocks;    // size -> block, unused and cached
  std::unordered_map<void*, size_t> live;      // block -> size, held by a tensor
  MemoryStats stats;
};

size_t limit_from_environment() {
  return settings::cuda_memory_limit_bytes();
}

class CachingAllocator {
 public:
  void* allocate(size_t nbytes, int device) {
    if (nbytes == 0) return nullptr;
    context(device, "cuda allocate");  // checks the device and makes it current
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceCache& c = cache(device);
    const size_t size = rounded_size(nbytes);
    c.stats.requests++;
    size_t block_size = 0;
    if (void* p = take_cached(c, size, block_size)) {
      c.stats.cache_hits++;
      note_live(c, p, block_size);
      return p;
    }
    const size_t limit = c.stats.limit_bytes;
    if (limit && c.stats.reserved_bytes + size > limit) release_cache(c);
    DN_CHECK(!limit || c.stats.reserved_bytes + size <= limit, "cuda allocate: ", nbytes,
             " bytes would pass the memory limit of ", limit >> 20, " MiB on cuda:", device,
             " (", c.stats.allocated_bytes >> 20, " MiB in live tensors)");
    void* p = nullptr;
    cudaError_t st = cudaMalloc(&p, size);
    if (st == cudaErrorMemoryAllocation) {  // the card is full: give the cache back, retry
      (void)cudaGetLastError();
      release_cache(c);
      st = cudaMalloc(&p, size);
    }
    if (st == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      size_t free_b = 0, total_b = 0;
      (void)cudaMemGetInfo(&free_b, &total_b);
      fail("cuda allocate: out of memory asking for ", nbytes, " bytes on cuda:", device, " (",
           c.stats.allocated_bytes >> 20, " MiB in live tensors, ", free_b >> 20, " of ",
           total_b >> 20, " MiB free on the card)");
    }
    check(st, "cuda allocate", "cudaMalloc");
    c.stats.device_mallocs++;
    c.stats.reserved_bytes += size;
    c.stats.peak_reserved_bytes = std::max(c.stats.peak_reserved_bytes, c.stats.reserved_bytes);
    note_live(c, p, size);
    return p;
  }

  void deallocate(void* p, int device) noexcept {
    if (!p) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (device < 0 || size_t(device) >= caches_.size()) return;
    DeviceCache& c = caches_[device];
    auto it = c.live.find(p);
    if (it == c.live.end()) return;  // not ours: nothing sensible to do in a destructor
    const size_t size = it->second;
    c.live.erase(it);
    c.stats.allocated_bytes -= size;
    c.free_blocks.emplace(size, p);
  }

  MemoryStats stats(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    return cache(device).stats;
  }

  void reset_peaks(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceCache& c = cache(device);
    c.stats.peak_allocated_bytes = c.stats.allocated_bytes;
    c.stats.peak_reserved_bytes = c.stats.reserved_bytes;
  }

  void set_limit(size_t bytes, int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    cache(device).stats.limit_bytes = bytes;
  }

  void empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t d = 0; d < caches_.size(); ++d) {
      if (caches_[d].free_blocks.empty()) continue;
      context(int(d), "empty_cache");
      release_cache(caches_[d]);
    }
  }

 private:
  DeviceCache& cache(int device) {
    DN_CHECK(device >= 0, "cuda allocator: invalid device index ", device);
    if (caches_.size() <= size_t(device)) {
      const size_t limit = limit_from_environment();
      const size_t old = caches_.size();
      caches_.resize(device + 1);
      for (size_t d = old; d < caches_.size(); ++d) caches_[d].stats.limit_bytes = limit;
    }
    return caches_[device];
  }

  // The smallest cached block that fits and wastes at most 1/8 of it; 0 if none.
  static void* take_cached(DeviceCache& c, size_t size, size_t& block_size) {
    auto it = c.free_blocks.lower_bound(size);
    if (it == c.free_blocks.end() || it->first > size + size / 8) return nullptr;
    void* p = it->second;
    block_size = it->first;  // the block keeps its own size, so that frees add up
    c.free_blocks.erase(it);
    return p;
  }

  static void note_live(DeviceCache& c, void* p, size_t size) {
    c.live.emplace(p, size);
    c.stats.allocated_bytes += size;
    c.stats.peak_allocated_bytes = std::max(c.stats.peak_allocated_bytes, c.stats.allocated_bytes);
  }

  // Gives every cached block back to the driver (cudaFree waits for the device).
  static void release_cache(DeviceCache& c) {
    if (c.free_blocks.empty()) return;
    for (auto& [size, p] : c.free_blocks) {
      (void)cudaFree(p);
      c.stats.reserved_bytes -= size;
    }
    c.free_blocks.clear();
    c.stats.cache_releases++;
  }

  std::mutex mutex_;
  std::vector<DeviceCache> caches_;
};

CachingAllocator& allocator() {
  static CachingAllocator* a = new CachingAllocator;  // leaked on purpose: see runtime.h
  return *a;
}

}  // namespace

void* allocate(size_t nbytes, int device) { return allocator().allocate(nbytes, device); }
void deallocate(void* ptr, int device) { allocator().deallocate(ptr, device); }
MemoryStats memory_stats(int device) { return allocator().stats(device); }
void reset_peak_memory_stats(int device) { allocator().reset_peaks(device); }
void set_memory_limit(size_t bytes, int device) { allocator().set_limit(bytes, device); }
void empty_cache() { allocator().empty(); }

}  // namespace dn::cuda
