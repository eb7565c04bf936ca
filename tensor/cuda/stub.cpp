// Linked when dinomaly.cpp is built without CUDA: every CUDA entry throws, naming itself;
// the queries answer "no device".
#include "tensor/cuda/cuda_backend.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace dn::cuda {

#define DN_KERNEL(name, params) \
  void name params { fail(#name, ": built without CUDA"); }
#define DN_FUSED_KERNEL(name, params)  // tensor/cuda/fused.cpp, built either way
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL

bool built_with_cuda() { return false; }
int device_count() { return 0; }
std::string device_description(int) { fail("cuda device: built without CUDA"); }
void* allocate(size_t, int) { fail("cuda allocate: built without CUDA"); }
void deallocate(void*, int) {}
void copy_bytes(void*, Device, const void*, Device, size_t) { fail("cuda copy: built without CUDA"); }
void synchronize() {}
MemoryStats memory_stats(int) { return {}; }
void reset_peak_memory_stats(int) {}
void set_memory_limit(size_t, int) {}
void empty_cache() {}
void set_matmul_precision(MatmulPrecision) {}
MatmulPrecision matmul_precision() { return MatmulPrecision::fp32; }

}  // namespace dn::cuda
