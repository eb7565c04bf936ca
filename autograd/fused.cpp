#include "autograd/fused.h"

#include <atomic>

#include "tensor/settings.h"

namespace dn {

namespace {
// Starts as DN_FUSED says (tensor/settings.h), on first use.
std::atomic<bool>& fused_switch() {
  static std::atomic<bool> on{settings::fused_kernels()};
  return on;
}
}  // namespace

bool fused_kernels_enabled() { return fused_switch().load(std::memory_order_relaxed); }
void set_fused_kernels(bool enabled) { fused_switch().store(enabled, std::memory_order_relaxed); }

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
