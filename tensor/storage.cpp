#include "tensor/storage.h"

#include <atomic>
#include <cstdlib>

#include "tensor/cpu_cache.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/error.h"

namespace dn {

namespace {
std::atomic<size_t> g_current{0}, g_peak{0}, g_count{0};

void note_alloc(size_t n) {
  size_t now = g_current.fetch_add(n) + n;
  size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {}
  g_count.fetch_add(1);
}
}  // namespace

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return Device::cuda(0);
  if (text.rfind("cuda:", 0) == 0) {
    try {
      size_t used = 0;
      int index = std::stoi(text.substr(5), &used);
      if (used == text.size() - 5 && index >= 0) return Device::cuda(index);
    } catch (const std::exception&) {
    }
  }
  fail("device: expected cpu, cuda or cuda:N, got '", text, "'");
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  if (device.is_cuda()) {
    void* p = cuda::allocate(nbytes, device.index);
    int index = device.index;
    return std::shared_ptr<Storage>(
        new Storage(p, nbytes, device, [index](void* q) { cuda::deallocate(q, index); }));
  }
  // Through the caching allocator (tensor/cpu_cache.h): large buffers start on a 2 MiB
  // boundary and ask the kernel for huge pages, as numpy does (a fresh 100 MB matrix product
  // output then takes 50 page faults instead of 25 000, which otherwise cost more than the
  // product itself at ViT-B 392, batch 16), and blocks of 64 KiB and more are reused.
  const cpu_cache::Block block = cpu_cache::take(nbytes, g_current.load() + nbytes);
  note_alloc(block.bytes);
  return std::shared_ptr<Storage>(new Storage(block.data, nbytes, device, [block](void*) {
    cpu_cache::give_back(block);
    g_current.fetch_sub(block.bytes);
  }));
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, Device device, Deleter deleter) {
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device, std::move(deleter)));
}

Storage::~Storage() {
  if (deleter_) deleter_(data_);
}

CpuMemoryStats cpu_memory_stats() { return {g_current.load(), g_peak.load(), g_count.load()}; }
void reset_cpu_peak_memory() { g_peak.store(g_current.load()); }

}  // namespace dn
