// Linked when dinomaly.cpp is built without CUDA: every CUDA entry throws, naming itself.
#include "tensor/cuda/cuda_backend.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace dn::cuda {

#define DN_KERNEL(name, params) \
  void name params { fail(#name, ": built without CUDA"); }
#include "tensor/backend.def"
#undef DN_KERNEL

bool built_with_cuda() { return false; }
int device_count() { return 0; }
void* allocate(size_t, int) { fail("cuda allocate: built without CUDA"); }
void deallocate(void*, int) {}
void copy_bytes(void*, Device, const void*, Device, size_t) { fail("cuda copy: built without CUDA"); }
void synchronize() {}

}  // namespace dn::cuda
