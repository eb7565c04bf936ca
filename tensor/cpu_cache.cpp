// The CPU's caching allocator (tensor/cpu_cache.h).
#include "tensor/cpu_cache.h"

#include <sys/mman.h>

#include <atomic>
#include <bit>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "tensor/error.h"
#include "tensor/settings.h"

namespace dn::cpu_cache {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;

// The size class of a request (see the header).
size_t size_class(size_t nbytes) {
  if (nbytes < kMinCachedBytes) return (nbytes + 63) / 64 * 64;
  if (nbytes >= 2 * kHugePage) return (nbytes + kHugePage - 1) / kHugePage * kHugePage;
  // 2ᵏ ≤ nbytes < 2ᵏ⁺¹: round up to a multiple of 2ᵏ/8
  const size_t eighth = (std::bit_floor(nbytes)) / 8;
  return (nbytes + eighth - 1) / eighth * eighth;
}

void* fresh(size_t bytes) {
  const size_t align = bytes >= 2 * kHugePage ? kHugePage : 64;
  void* p = std::aligned_alloc(align, bytes);
  DN_CHECK(p, "allocate: out of memory asking for ", bytes, " bytes");
  if (align == kHugePage) madvise(p, bytes, MADV_HUGEPAGE);  // fails harmlessly without THP
  return p;
}

struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<void*>> free;  // size class -> blocks
  Stats stats;
  size_t peak_live = 0;
};

// Never destroyed: tensors freed during static destruction still give their blocks back.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

std::atomic<int> g_enabled{-1};  // -1: as DN_CPU_CACHE says

}  // namespace

bool enabled() {
  const int on = g_enabled.load();
  return on >= 0 ? on == 1 : settings::cpu_cache();
}

void set_enabled(bool on) { g_enabled.store(on ? 1 : 0); }

Block take(size_t nbytes, size_t live_bytes) {
  if (nbytes == 0) return {};
  const size_t bytes = size_class(nbytes);
  if (bytes < kMinCachedBytes) return {fresh(bytes), bytes};
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.peak_live = std::max(c.peak_live, live_bytes + bytes);
    if (enabled()) {
      auto it = c.free.find(bytes);
      if (it != c.free.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        c.stats.cached_bytes -= bytes;
        ++c.stats.reused_blocks;
        return {p, bytes};
      }
    }
    ++c.stats.fresh_blocks;
  }
  return {fresh(bytes), bytes};
}

void give_back(Block block) {
  if (!block.data) return;
  if (block.bytes >= kMinCachedBytes && enabled()) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.stats.cached_bytes + block.bytes <= 2 * c.peak_live) {
      c.free[block.bytes].push_back(block.data);
      c.stats.cached_bytes += block.bytes;
      return;
    }
  }
  std::free(block.data);
}

Stats stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void release() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [bytes, blocks] : c.free)
    for (void* p : blocks) std::free(p);
  c.free.clear();
  c.stats.cached_bytes = 0;
}

}  // namespace dn::cpu_cache
