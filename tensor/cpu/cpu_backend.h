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
// c[m, n] (row stride ldc) = a[m, k] · b[k, n] on the calling thread alone, with the kernel
// matmul runs for that dtype (the own sgemm for float32 where the build has one, else Eigen's):
// for kernels that share whole work items out over the threads themselves (the attention's
// heads). Element (i, p) of a is a[i·a_rs + p·a_cs], (p, j) of b is b[p·b_rs + j·b_cs]; each
// matrix has a unit stride along one of its dims (a transposed view is read in place).
void gemm_on_this_thread(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs,
                         int64_t a_cs, const float* b, int64_t b_rs, int64_t b_cs, float* c,
                         int64_t ldc);
void gemm_on_this_thread(int64_t m, int64_t n, int64_t k, const double* a, int64_t a_rs,
                         int64_t a_cs, const double* b, int64_t b_rs, int64_t b_cs, double* c,
                         int64_t ldc);
// Which kernel runs float32 matrix products: "own AVX-512 sgemm", "own AVX2 sgemm" or "Eigen"
// (tensor/cpu/matmul.cpp).
const char* float_matmul_kernel();

}  // namespace dn::cpu
