// The CPU backend: Eigen for matrix products, OpenMP loops for everything else.
#pragma once
#include "tensor/op_kinds.h"
#include "tensor/tensor.h"

namespace dn::cpu {

#define DN_KERNEL(name, params) void name params;
#define DN_FUSED_KERNEL(name, params) void name params;
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL

// The CPU has every fused kernel, for float32 and float64 (tensor/cpu/fused.cpp).
bool has_fused(FusedKernel kernel, DType dtype);

// Threads used by OpenMP loops and Eigen (default: all cores).
void set_num_threads(int n);
int num_threads();
// Which kernel runs float32 matrix products: "own AVX-512 sgemm", "own AVX2 sgemm" or "Eigen"
// (tensor/cpu/matmul.cpp).
const char* float_matmul_kernel();

}  // namespace dn::cpu
