// The CUDA backend. Built with -Dcuda=enabled it is cuBLAS and own kernels (tensor/cuda/*.cu);
// built without CUDA, tensor/cuda/stub.cpp defines every entry as throwing
// "<kernel>: built without CUDA", except the queries (device_count() answers 0, the
// statistics are zero).
//
// Execution model: each device has ONE stream (created on first use, non-blocking). Every
// kernel, cuBLAS call and device-to-device copy for a tensor on cuda:N is queued on cuda:N's
// stream, so work runs in the order it was issued and memory freed by one op can be reused
// by the next without waiting (see allocator.cpp). Host<->device copies wait for the stream.
// synchronize() waits for every stream. With DN_CUDA_SYNC=1 in the environment every kernel
// is followed by a wait, so an asynchronous fault is reported by the op that caused it.
#pragma once
#include <cstddef>
#include <string>

#include "tensor/op_kinds.h"
#include "tensor/tensor.h"

namespace dn::cuda {

#define DN_KERNEL(name, params) void name params;
#define DN_FUSED_KERNEL(name, params) void name params;
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL

// Whether this backend has the fused kernel for dtype: none yet (tensor/cuda/fused.cpp, where
// each entry throws until a CUDA kernel is written); the autograd ops run their composite.
bool has_fused(FusedKernel kernel, DType dtype);

bool built_with_cuda();
// Number of usable devices; 0 when built without CUDA or when the runtime reports any
// error (no driver, no device): that is "no device", never a failure.
int device_count();
// "NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB)"; throws when the device does not exist.
std::string device_description(int device);

void* allocate(size_t nbytes, int device);
void deallocate(void* ptr, int device);  // never throws
// Copies between host and device memory (either side may be the device).
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);
void synchronize();

// --- The caching allocator ----------------------------------------------------------------
// Freed blocks stay cached for reuse instead of going back to the driver; when a request
// does not fit (the limit or the card), the cache is released and the request retried.
struct MemoryStats {
  size_t allocated_bytes = 0;       // in live tensors (block sizes, rounded up)
  size_t peak_allocated_bytes = 0;  // like torch.cuda.max_memory_allocated
  size_t reserved_bytes = 0;        // live + cached: what the driver has given us
  size_t peak_reserved_bytes = 0;   // like torch.cuda.max_memory_reserved
  size_t requests = 0;              // allocate() calls
  size_t cache_hits = 0;            // requests served from the cache
  size_t device_mallocs = 0;        // cudaMalloc calls
  size_t cache_releases = 0;        // times the cache was given back to the driver
  size_t limit_bytes = 0;           // 0: no limit other than the card
};
MemoryStats memory_stats(int device = 0);
void reset_peak_memory_stats(int device = 0);
// Caps reserved memory on `device` (0 removes the cap). The environment variable
// DN_CUDA_MEMORY_LIMIT_MB sets the initial cap of every device.
void set_memory_limit(size_t bytes, int device = 0);
// Gives every cached (unused) block back to the driver.
void empty_cache();

// --- Matrix-product precision for float32 -------------------------------------------------
// fp32: full float32 products (the default, what the CPU computes). tf32: tensor cores with
// 10-bit mantissa inputs (PyTorch's allow_tf32). bf16: inputs rounded to bfloat16, float32
// accumulation (like autocast for the products only). float64 is always exact float64.
// The environment variable DN_CUDA_MATMUL=fp32|tf32|bf16 sets the initial choice.
enum class MatmulPrecision { fp32, tf32, bf16 };
void set_matmul_precision(MatmulPrecision precision);
MatmulPrecision matmul_precision();

}  // namespace dn::cuda
