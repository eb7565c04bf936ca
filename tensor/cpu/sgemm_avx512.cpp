// A float32 GEMM for AVX-512: the BLIS loop nest and packing of sgemm_blocked.h around a
// register micro-kernel of Rows × (Vectors · 16) floats.
//
// The micro-kernel holds its tile of c in Rows · Vectors of the 32 zmm registers for the whole
// kc loop; each step loads Vectors · 16 floats of b, broadcasts Rows floats of a and issues
// Rows · Vectors fused multiply-adds. The tile chosen, 12 × 32, keeps 24 accumulators, 2
// registers of b and 1 broadcast of a: 768 flops per step for 2 loads and 12 broadcasts.
//
// Blocks: a b sliver of 256 × 32 floats is 32 KB (L1: 48 KB on Zen 5, 32 KB on Zen 4 and
// Skylake, where it shares L1 with the streamed a slivers), a packed a block of 144 × 256
// floats 144 KB (L2), a packed b panel of 256 × 4096 floats 4 MB (L3). Depths of 128, 192 and
// 384 and a 14 × 32 tile measured within noise of these.
#include "tensor/cpu/sgemm_avx512.h"

#include <stdexcept>

#if defined(__AVX512F__)
#include <immintrin.h>

#include "tensor/cpu/sgemm_blocked.h"
#define DN_SGEMM_AVX512 1
#endif

namespace dn::cpu {

#ifdef DN_SGEMM_AVX512

namespace {

template <int Rows, int Vectors, int64_t Kc, int64_t Mc, int64_t Nc>
struct Avx512Kernel {
  static constexpr int64_t kMr = Rows, kNr = 16 * Vectors;
  static constexpr int64_t kKc = Kc, kMc = Mc, kNc = Nc;

  // c_tile (row stride ldc) = (accumulate ? c_tile : 0) + a_sliver · b_sliver over kc steps.
  static void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
                   int64_t ldc, bool accumulate) {
    // Ask for the tile of c now, so that it arrives during the kc loop: on the larger
    // products (c of 100 MB at ViT-B 392, batch 16) it comes from memory, and waiting for it
    // at the end of every tile cost up to a third of the time.
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * v), _MM_HINT_T0);
    __m512 acc[Rows][Vectors];
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) acc[i][v] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; ++p) {
      __m512 bv[Vectors];
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < Rows; ++i) {
        const __m512 ai = _mm512_set1_ps(a[i]);
#pragma GCC unroll 4
        for (int v = 0; v < Vectors; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
      }
      a += kMr;
      b += kNr;
    }
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      float* row = c + i * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) {
        if (accumulate) acc[i][v] = _mm512_add_ps(_mm512_loadu_ps(row + 16 * v), acc[i][v]);
        _mm512_storeu_ps(row + 16 * v, acc[i][v]);
      }
    }
  }
};

using Kernel = Avx512Kernel<kSgemmAvx512TileRows, kSgemmAvx512TileCols / 16, 256, 144, 4096>;
static_assert(Kernel::kNr == kSgemmAvx512TileCols);

}  // namespace

bool sgemm_avx512_built() { return true; }

void sgemm_avx512(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
                  const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc) {
  sgemm_blocked::gemm<Kernel>(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc);
}

#else  // built without AVX-512

bool sgemm_avx512_built() { return false; }

void sgemm_avx512(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*,
                  int64_t, int64_t, float*, int64_t) {
  // matmul.cpp never calls it when sgemm_avx512_built() is false
  throw std::logic_error("sgemm_avx512: this build has no AVX-512 kernel (compile with -march=native)");
}

#endif

}  // namespace dn::cpu
