// Per-device state of the CUDA backend: the one stream every op of a device runs on, its
// cuBLAS handle and the properties kernels size their grids by. Created on first use and
// kept for the life of the process (never destroyed: the CUDA runtime may already be shut
// down when static destructors run).
#pragma once
#include <cuda_runtime_api.h>

#include "tensor/tensor.h"

struct cublasContext;  // cublas_api.h's handle type, without pulling cuBLAS into every file

namespace dn::cuda {

struct DeviceContext {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasContext* cublas = nullptr;
  int sm_count = 0;           // multiprocessors
  size_t shared_per_block = 0;  // default shared memory limit of a block, bytes
};

// Makes `device` current for the calling thread and returns its context. `op` names the
// caller in errors (a device that does not exist, a failed initialisation).
const DeviceContext& context(int device, const char* op);

// The context of the device `t` lives on; throws naming `op` when t is not a CUDA tensor.
const DeviceContext& context_of(const Tensor& t, const char* op);

// Whether DN_CUDA_SYNC=1 was set (each kernel is then followed by a stream wait).
bool sync_after_each_kernel();

// A grid for a grid-stride loop over n items with `threads` per block: enough blocks to
// fill the device a few times over, never more than the items need.
unsigned grid_for(const DeviceContext& ctx, int64_t n, int threads);

}  // namespace dn::cuda
