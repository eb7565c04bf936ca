// The CUDA backend. Built with -Dcuda=enabled it is cuBLAS/cuDNN and own kernels; built
// without CUDA, tensor/cuda/stub.cpp defines every entry as throwing
// "<kernel>: built without CUDA", except device_count(), which answers 0.
#pragma once
#include <cstddef>
#include <string>

#include "tensor/op_kinds.h"
#include "tensor/tensor.h"

namespace dn::cuda {

#define DN_KERNEL(name, params) void name params;
#include "tensor/backend.def"
#undef DN_KERNEL

bool built_with_cuda();
// Number of usable devices; 0 when built without CUDA or when the runtime reports any
// error (no driver, no device): that is "no device", never a failure.
int device_count();
void* allocate(size_t nbytes, int device);
void deallocate(void* ptr, int device);
// Copies between host and device memory (either side may be the device).
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);
void synchronize();

}  // namespace dn::cuda
