// Float32 matrix products with bfloat16 inputs and float32 accumulation, on the AMX tile unit
// of Intel Xeon processors since Sapphire Rapids: an option, off by default.
//
// bfloat16 keeps float32's exponent and 8 of its 24 significand bits, so each input is
// rounded with a relative error up to 2^-9 (0.2%); the sums are float32. Deep-learning
// frameworks use the same trade for speed (PyTorch's autocast on CPUs with AMX; cuBLAS's
// bf16 mode). The CUDA backend has the same switch (DN_CUDA_MATMUL=bf16).
//
// The products of the Linear layers (forward, and both products of their backward) use it
// when it is switched on (autograd/linalg.cpp); the rest stays float32. The environment
// variable DN_CPU_MATMUL=bf16 switches it on at start.
#pragma once
#include "tensor/tensor.h"

namespace dn::cpu {

enum class MatmulPrecision { fp32, bf16 };
void set_matmul_precision(MatmulPrecision precision);  // bf16 throws without AMX
MatmulPrecision matmul_precision();

// Whether this processor and kernel let us use AMX with bfloat16 (asks the kernel once).
bool amx_bf16_available();

// out [m, n] (contiguous) = a [m, k] · b [k, n], all float32; a and b have unit stride
// along one of their two dims (a transposed view is read in place). Requires AMX.
void matmul_bf16(const Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace dn::cpu
