// The CPU's caching allocator: tensor memory of 64 KiB and more is kept when its tensors are
// freed and handed out again to the next request of the same size class, so that a training
// loop, which asks for the same sizes step after step, stops asking the kernel for fresh
// pages (and stops taking a page fault on every 4 KiB, or 2 MiB, of each fresh buffer) after
// its first step. The usual design of a caching allocator (PyTorch's CUDA one, say), kept
// simple: no splitting of blocks, one free list per size class.
//
// Size classes (`bytes` below), chosen so that a block fits every request of its class:
//   below 64 KiB          64-byte multiples, never cached (malloc's own free lists serve them)
//   64 KiB up to 4 MiB    2ᵏ·(1 + j/8), j = 0..7: at most 12.5% more than asked for
//   4 MiB and more        2 MiB multiples, 2 MiB aligned, with huge pages asked for
//                         (MADV_HUGEPAGE; storage.cpp says why)
// Bound: a freed block is kept only while the cached bytes stay within twice the largest
// number of live tensor bytes seen so far; past that it goes back to the system. (The cache
// needs more than one peak's worth: the blocks of each size class peak at different moments
// of a step. In the tests' training step it holds 1.5 times the peak.)
//
// DN_CPU_CACHE=0 (tensor/settings.h) turns the cache off: every block is fresh, as before;
// set_enabled overrides it from code (the sanitizer run turns the cache off, so that a use of
// freed tensor memory is caught, and the cache's own tests turn it on).
// Thread-safe (one mutex): tensors are made and freed on several threads (the data loader's).
#pragma once
#include <cstddef>

namespace dn::cpu_cache {

// The smallest request that is cached.
inline constexpr size_t kMinCachedBytes = size_t(64) << 10;

struct Block {
  void* data = nullptr;
  size_t bytes = 0;  // the size class: what the block holds, at least the bytes asked for
};

// A block for `nbytes` (nullptr and 0 bytes for 0): a cached one of its class, else fresh
// memory. Throws dn::Error when the system has none. `live_bytes` is the caller's count of
// live tensor bytes after this block (for the bound above).
Block take(size_t nbytes, size_t live_bytes);
// Returns a block from take(): kept for reuse or freed.
void give_back(Block block);

// Whether freed blocks are kept: DN_CPU_CACHE until set_enabled is called.
bool enabled();
void set_enabled(bool on);

struct Stats {
  size_t fresh_blocks = 0;   // blocks of kMinCachedBytes or more obtained from the system
  size_t reused_blocks = 0;  // requests served from the cache
  size_t cached_bytes = 0;   // held for reuse now
};
Stats stats();
// Frees every cached block (the memory goes back to the system).
void release();

}  // namespace dn::cpu_cache
