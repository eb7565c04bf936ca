// Float32 matrix products with bfloat16 inputs and float32 accumulation: an option, off by
// default. Two kernels: the AMX tile unit of Intel Xeon processors since Sapphire Rapids
// (matmul_bf16.cpp), and the AVX512-BF16 vector instruction of AMD Zen 4 / Zen 5 and Intel
// Xeon since Cooper Lake (matmul_bf16_avx512.cpp). matmul_bf16 uses AMX where the processor
// has it, else AVX512-BF16.
//
// bfloat16 keeps float32's exponent and 8 of its 24 significand bits, so each input is
// rounded with a relative error up to 2^-9 (0.2%); the sums are float32. Deep-learning
// frameworks use the same trade for speed (PyTorch's autocast on CPUs with AMX; cuBLAS's
// bf16 mode). The CUDA backend has the same switch (DN_CUDA_MATMUL=bf16).
//
// The products of the Linear layers (forward, and both products of their backward) use it
// when it is switched on (autograd/linalg.cpp); the rest stays float32. bf16_encoder limits it
// to the products inside a FrozenEncoderScope (Dinomaly's frozen encoder: models/dinomaly.cpp),
// so the trainable part stays float32. DN_CPU_MATMUL=bf16 or bf16-encoder switches it on at
// start (where the processor has neither kernel, the products stay float32).
#pragma once
#include "tensor/tensor.h"

namespace dn::cpu {

enum class MatmulPrecision { fp32, bf16, bf16_encoder };
void set_matmul_precision(MatmulPrecision precision);  // bf16*: throws without a bf16 kernel
MatmulPrecision matmul_precision();

// Marks, for its lifetime and on the calling thread, products of a frozen encoder: under
// MatmulPrecision::bf16_encoder the Linear products inside it use bfloat16 inputs.
class FrozenEncoderScope {
 public:
  FrozenEncoderScope();
  ~FrozenEncoderScope();
  FrozenEncoderScope(const FrozenEncoderScope&) = delete;
  FrozenEncoderScope& operator=(const FrozenEncoderScope&) = delete;
};
bool in_frozen_encoder();

// Whether a Linear product made here and now takes bfloat16 inputs: the precision is bf16, or
// bf16_encoder inside a FrozenEncoderScope.
bool linear_products_in_bf16();

// Whether this processor and kernel let us use AMX with bfloat16 (asks the kernel once).
bool amx_bf16_available();
// Whether this processor has AVX512-BF16 (with AVX-512 F, BW, VL, saved by the OS).
bool avx512_bf16_available();
// The kernel matmul_bf16 uses here: "AMX", "AVX512-BF16", or "none".
const char* bf16_matmul_kernel();

// out [m, n] (contiguous) = a [m, k] · b [k, n], all float32, with the inputs rounded to
// bfloat16; a and b have unit stride along one of their two dims (a transposed view is read
// in place). On AMX where available, else AVX512-BF16; throws where neither is.
void matmul_bf16(const Tensor& out, const Tensor& a, const Tensor& b);
// The two kernels by name (the tests compare each with a reference); each requires its unit.
void matmul_bf16_amx(const Tensor& out, const Tensor& a, const Tensor& b);
void matmul_bf16_avx512(const Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace dn::cpu
