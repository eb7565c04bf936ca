// How a row-major batched product out[b] = a[b] · b[b] of strided views becomes one call of
// cuBLAS's column-major cublasGemmStridedBatchedEx, without copying transposed operands.
//
// Column-major cuBLAS sees the memory of a row-major matrix X [r, c] as X^T. So we ask it
// for out^T [n, m] = b^T [n, k] · a^T [k, m]: cuBLAS's A is our b, its B is our a.
// Plain C++ (no CUDA), so tests/cuda/test_kernel_logic.cpp checks it on the CPU.
#pragma once
#include <cstdint>
#include <optional>

namespace dn::cuda {

// A column-major matrix M at X's memory with leading dimension `ld` such that op(M) = X^T,
// op being a transpose when `transpose` is set.
struct GemmOperand {
  bool transpose = false;
  int64_t ld = 1;
};

// For X [r, c] with strides (rs, cs): none when cuBLAS cannot read it in place (no unit
// stride, or rows that overlap such as a broadcast row); the caller then copies X.
inline std::optional<GemmOperand> gemm_operand(int64_t r, int64_t c, int64_t rs, int64_t cs) {
  const int64_t one_r = r > 1 ? r : 1, one_c = c > 1 ? c : 1;
  // Rows contiguous: X[i, j] at i*rs + j is column-major X^T [c, r] with ld rs.
  if ((c == 1 || cs == 1) && (r == 1 || rs >= one_c)) return GemmOperand{false, r == 1 ? one_c : rs};
  // Columns contiguous: X[i, j] at i + j*cs is column-major X [r, c] with ld cs; op = T.
  if ((r == 1 || rs == 1) && (c == 1 || cs >= one_r)) return GemmOperand{true, c == 1 ? one_r : cs};
  return std::nullopt;
}

// The arguments of one cublasGemmStridedBatchedEx call (cuBLAS names: its m, n, k).
struct GemmCall {
  bool trans_a = false, trans_b = false;  // on cuBLAS's A (= our b) and B (= our a)
  int64_t m = 0, n = 0, k = 0;            // cuBLAS's: m = our n, n = our m
  int64_t lda = 1, ldb = 1, ldc = 1;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;
  int64_t batch = 1;
};

// out [batch, m, n] (rows contiguous), a [batch, m, k], b [batch, k, n] with the given
// [batch, row, col] strides; both operands must have a gemm_operand().
inline GemmCall plan_gemm(int64_t batch, int64_t m, int64_t n, int64_t k, const int64_t out_st[3],
                          const int64_t a_st[3], const int64_t b_st[3], GemmOperand a_op,
                          GemmOperand b_op) {
  GemmCall g;
  g.m = n;
  g.n = m;
  g.k = k;
  g.trans_a = b_op.transpose;
  g.lda = b_op.ld;
  g.trans_b = a_op.transpose;
  g.ldb = a_op.ld;
  g.ldc = m == 1 ? (n > 1 ? n : 1) : out_st[1];
  g.batch = batch;
  g.stride_a = batch > 1 ? b_st[0] : 0;
  g.stride_b = batch > 1 ? a_st[0] : 0;
  g.stride_c = batch > 1 ? out_st[0] : 0;
  return g;
}

}  // namespace dn::cuda
