// The CUDA backend's fused kernels: none written yet. has_fused answers false, so the autograd
// ops run their composite on CUDA tensors and these entries are never reached from there;
// called directly they throw, naming the kernel. To add one: write it in a .cu file, drop its
// entry from the list below (give the rest explicit throwing definitions) and answer true for
// it in has_fused. Nothing outside tensor/cuda/ changes. Built with or without CUDA.
#include "tensor/cuda/cuda_backend.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace dn::cuda {

bool has_fused(FusedKernel, DType) { return false; }

#define DN_KERNEL(name, params)
#define DN_FUSED_KERNEL(name, params) \
  void name params { fail(#name, ": no fused CUDA kernel (cuda::has_fused answers false)"); }
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL

}  // namespace dn::cuda
