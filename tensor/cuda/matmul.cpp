// CUDA matrix products through cuBLAS: one cublasGemmStridedBatchedEx per call, transposed
// operands read in place (gemm_plan.h). float32 runs in the precision set by
// set_matmul_precision (fp32 by default; tf32 or bf16 tensor cores on request), float64 in
// float64.
#include <cublas_v2.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "tensor/cuda/check.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/gemm_plan.h"
#include "tensor/cuda/runtime.h"
#include "tensor/settings.h"

namespace dn::cuda {

namespace {

MatmulPrecision precision_from_environment() {
  switch (settings::cuda_matmul()) {
    case settings::CudaMatmul::tf32: return MatmulPrecision::tf32;
    case settings::CudaMatmul::bf16: return MatmulPrecision::bf16;
    case settings::CudaMatmul::fp32: break;
  }
  return MatmulPrecision::fp32;
}

std::atomic<int>& precision_slot() {
  static std::atomic<int> p{int(precision_from_environment())};
  return p;
}

void check_cublas(cublasStatus_t st, const char* what) {
  DN_CHECK(st == CUBLAS_STATUS_SUCCESS, "matmul: ", what, " failed: ", cublasGetStatusName(st),
           " (", cublasGetStatusString(st), ")");
}

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// A contiguous copy of a [batch, r, c] operand that cuBLAS cannot read in place.
Tensor contiguous_copy(const Tensor& x) {
  Tensor c = empty(x.shape(), x.dtype(), x.device());
  copy(c, x);
  return c;
}

}  // namespace

void set_matmul_precision(MatmulPrecision precision) { precision_slot() = int(precision); }
MatmulPrecision matmul_precision() { return MatmulPrecision(precision_slot().load()); }

void matmul(const Tensor& out, const Tensor& a_in, const Tensor& b_in) {
  const char* op = "matmul";
  const DeviceContext& ctx = context_of(out, op);
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a_in.size(2);
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: zeros
    fill(out, 0.0);
    return;
  }
  DN_CHECK(out.dtype() == DType::f32 || out.dtype() == DType::f64, op, ": dtype ",
           dtype_name(out.dtype()), " is not supported (float32 or float64 expected)");
  DN_CHECK(out.stride(2) == 1 || n == 1, op, ": the output must have contiguous rows, got strides ",
           shape_str(out.strides()));

  Tensor a = a_in, b = b_in;
  auto a_op = gemm_operand(m, k, a.stride(1), a.stride(2));
  if (!a_op) {
    a = contiguous_copy(a);
    a_op = gemm_operand(m, k, a.stride(1), a.stride(2));
  }
  auto b_op = gemm_operand(k, n, b.stride(1), b.stride(2));
  if (!b_op) {
    b = contiguous_copy(b);
    b_op = gemm_operand(k, n, b.stride(1), b.stride(2));
  }
  const int64_t out_st[3] = {out.stride(0), out.stride(1), out.stride(2)};
  const int64_t a_st[3] = {a.stride(0), a.stride(1), a.stride(2)};
  const int64_t b_st[3] = {b.stride(0), b.stride(1), b.stride(2)};
  const GemmCall g = plan_gemm(batch, m, n, k, out_st, a_st, b_st, *a_op, *b_op);
  for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.batch})
    DN_CHECK(fits_int(v), op, ": sizes ", shape_str(a.shape()), " x ", shape_str(b.shape()),
             " are too large for one cuBLAS call");

  cublasHandle_t handle = ctx.cublas;
  const cublasOperation_t ta = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t tb = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (out.dtype() == DType::f64) {
    const double alpha = 1.0, beta = 0.0;
    check_cublas(cublasGemmStridedBatchedEx(
                     handle, ta, tb, int(g.m), int(g.n), int(g.k), &alpha, b.data_ptr(),
                     CUDA_R_64F, int(g.lda), g.stride_a, a.data_ptr(), CUDA_R_64F, int(g.ldb),
                     g.stride_b, &beta, out.data_ptr(), CUDA_R_64F, int(g.ldc), g.stride_c,
                     int(g.batch), CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT),
                 "cublasGemmStridedBatchedEx (float64)");
  } else {
    cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
    switch (matmul_precision()) {
      case MatmulPrecision::fp32: compute = CUBLAS_COMPUTE_32F; break;
      case MatmulPrecision::tf32: compute = CUBLAS_COMPUTE_32F_FAST_TF32; break;
      case MatmulPrecision::bf16: compute = CUBLAS_COMPUTE_32F_FAST_16BF; break;
    }
    const float alpha = 1.0f, beta = 0.0f;
    check_cublas(cublasGemmStridedBatchedEx(
                     handle, ta, tb, int(g.m), int(g.n), int(g.k), &alpha, b.data_ptr(),
                     CUDA_R_32F, int(g.lda), g.stride_a, a.data_ptr(), CUDA_R_32F, int(g.ldb),
                     g.stride_b, &beta, out.data_ptr(), CUDA_R_32F, int(g.ldc), g.stride_c,
                     int(g.batch), compute, CUBLAS_GEMM_DEFAULT),
                 "cublasGemmStridedBatchedEx (float32)");
  }
  check_launch(op);
}

}  // namespace dn::cuda
