// A float32 GEMM for AVX2 + FMA: the BLIS loop nest and packing of sgemm_blocked.h around a
// 6 × 16 register micro-kernel.
//
// The micro-kernel holds the 6 × 16 tile of c in 12 of AVX2's 16 vector registers (6 rows ×
// 2 vectors of 8) for the whole kc loop; each step loads 16 floats of b (2 registers),
// broadcasts 6 floats of a (1 register, reused) and issues 12 fused multiply-adds: 192 flops
// for 2 loads and 6 broadcasts, so the FMA units, not memory, set the pace.
//
// Blocks: a b sliver of 256 × 16 floats is 16 KB (L1), a packed a block of 144 × 256 floats
// 144 KB (L2), a packed b panel of 256 × 4080 floats 4 MB (L3).
#include "tensor/cpu/sgemm_avx2.h"

#include <stdexcept>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "tensor/cpu/sgemm_blocked.h"
#define DN_SGEMM_AVX2 1
#endif

namespace dn::cpu {

#ifdef DN_SGEMM_AVX2

namespace {

struct Avx2Kernel {
  static constexpr int64_t kMr = kSgemmAvx2TileRows;  // 6 rows
  static constexpr int64_t kNr = kSgemmAvx2TileCols;  // 16 columns: 2 × 8 floats
  static constexpr int64_t kKc = 256, kMc = 144, kNc = 4080;

  // c_tile (row stride ldc) = (accumulate ? c_tile : 0) + a_sliver · b_sliver over kc steps.
  static void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
                   int64_t ldc, bool accumulate) {
    __m256 acc[kMr][2];
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; ++p) {
      const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < kMr; ++i) {
        const __m256 ai = _mm256_broadcast_ss(a + i);
        acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
      }
      a += kMr;
      b += kNr;
    }
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      float* row = c + i * ldc;
      if (accumulate) {
        acc[i][0] = _mm256_add_ps(_mm256_loadu_ps(row), acc[i][0]);
        acc[i][1] = _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[i][1]);
      }
      _mm256_storeu_ps(row, acc[i][0]);
      _mm256_storeu_ps(row + 8, acc[i][1]);
    }
  }
};

}  // namespace

bool sgemm_avx2_built() { return true; }

void sgemm_avx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
                const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc) {
  sgemm_blocked::gemm<Avx2Kernel>(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc);
}

#else  // built without AVX2 + FMA

bool sgemm_avx2_built() { return false; }

void sgemm_avx2(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t,
                int64_t, float*, int64_t) {
  // matmul.cpp never calls it when sgemm_avx2_built() is false
  throw std::logic_error("sgemm_avx2: this build has no AVX2 + FMA kernel (compile with -march=native)");
}

#endif

}  // namespace dn::cpu
