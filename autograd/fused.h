// Whether differentiable ops may use the CPU's fused kernels (tensor/ops.h, "Fused kernels")
// instead of their composite of simpler ops. Every fused op keeps its composite: it runs
// where no fused kernel exists (other devices) or when fused kernels are switched off, and
// the tests compare the two. On by default; the environment variable DN_FUSED=0 switches
// them off at start (for benchmarks). Process-wide, like the thread count.
#pragma once

namespace dn {

bool fused_kernels_enabled();
void set_fused_kernels(bool enabled);

// Sets the switch for a scope and restores the previous value.
class FusedKernelsGuard {
 public:
  explicit FusedKernelsGuard(bool enabled);
  ~FusedKernelsGuard();
  FusedKernelsGuard(const FusedKernelsGuard&) = delete;
  FusedKernelsGuard& operator=(const FusedKernelsGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace dn
