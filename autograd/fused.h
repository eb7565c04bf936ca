// The one place that decides between a fused kernel and the composite of simpler ops it
// replaces. Every fused op keeps its composite: it runs where the tensor's backend lacks the
// fused kernel (kernel::has_fused: the CPU has them all, CUDA none yet) or when fused kernels
// are switched off, and the tests compare the two. On by default; the environment variable
// DN_FUSED=0 switches them off at start (for benchmarks). Process-wide, like the thread count.
#pragma once
#include <initializer_list>

#include "tensor/ops.h"

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

// Whether fused kernels are on and like's backend has every one of `kernels` (an op's forward
// and the backward it records) for like's dtype.
bool use_fused(std::initializer_list<FusedKernel> kernels, const Tensor& like);

// fused() when use_fused(kernels, like), else composite(); both return the same type.
template <class Fused, class Composite>
auto fused_or_composite(std::initializer_list<FusedKernel> kernels, const Tensor& like,
                        Fused&& fused, Composite&& composite) {
  return use_fused(kernels, like) ? fused() : composite();
}

}  // namespace dn
