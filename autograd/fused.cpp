#include "autograd/fused.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace dn {

namespace {
bool initial_value() {
  const char* v = std::getenv("DN_FUSED");
  return !(v && std::strcmp(v, "0") == 0);
}
std::atomic<bool> g_fused{initial_value()};
}  // namespace

bool fused_kernels_enabled() { return g_fused.load(std::memory_order_relaxed); }
void set_fused_kernels(bool enabled) { g_fused.store(enabled, std::memory_order_relaxed); }

FusedKernelsGuard::FusedKernelsGuard(bool enabled) : previous_(fused_kernels_enabled()) {
  set_fused_kernels(enabled);
}
FusedKernelsGuard::~FusedKernelsGuard() { set_fused_kernels(previous_); }

bool use_fused(std::initializer_list<FusedKernel> kernels, const Tensor& like) {
  if (!fused_kernels_enabled()) return false;
  for (FusedKernel k : kernels)
    if (!kernel::has_fused(k, like.device(), like.dtype())) return false;
  return true;
}

}  // namespace dn
