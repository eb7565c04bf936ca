// A float32 GEMM for AVX2 + FMA, after the BLIS design (Van Zee & van de Geijn, "BLIS: A
// Framework for Rapidly Instantiating BLAS Functionality", 2015; Goto & van de Geijn 2008).
//
// c = a · b is cut into blocks that fit the caches, and each block's operands are copied
// ("packed") into the order in which the micro-kernel reads them:
//
//   for jc over n, step kNc:            a kc × nc panel of b, packed      -> L3
//     for pc over k, step kKc:
//       pack b[pc:pc+kc, jc:jc+nc] as slivers of kNr columns, row after row
//       for ic over m, step kMc:        an mc × kc block of a, packed     -> L2
//         pack a[ic:ic+mc, pc:pc+kc] as slivers of kMr rows, column after column
//         for jr over nc, step kNr:     one b sliver (kc × 16, 16 KB)     -> L1
//           for ir over mc, step kMr:
//             micro-kernel: c[6 × 16] (+)= a sliver (6 × kc) · b sliver (kc × 16)
//
// The micro-kernel holds the 6 × 16 tile of c in 12 of AVX2's 16 vector registers (6 rows ×
// 2 vectors of 8) for the whole kc loop; each step loads 16 floats of b (2 registers),
// broadcasts 6 floats of a (1 register, reused) and issues 12 fused multiply-adds: 192 flops
// for 2 loads and 6 broadcasts, so the FMA units, not memory, set the pace.
//
// Edges: packing pads the slivers with zeros to full kMr / kNr, so the micro-kernel always
// runs full size; a partial tile is computed into a local 6 × 16 buffer and only its valid
// part is written to c. Summation order: for each element of c, the products of one kc
// block are summed in order of p, then the block's sum is added to c (block after block).
#include "tensor/cpu/sgemm_avx2.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DN_SGEMM_AVX2 1
#endif

namespace dn::cpu {

#ifdef DN_SGEMM_AVX2

namespace {

constexpr int64_t kMr = kSgemmTileRows;  // rows of the register tile (6)
constexpr int64_t kNr = kSgemmTileCols;  // columns of the register tile (16: 2 × 8 floats)
constexpr int64_t kKc = 256;   // depth of a block: a b sliver of kKc × kNr floats is 16 KB (L1)
constexpr int64_t kMc = 144;   // rows of a packed a block: 144 × 256 floats = 144 KB (L2)
constexpr int64_t kNc = 4080;  // columns of a packed b panel: 256 × 4080 floats = 4 MB (L3)

// c_tile (row stride ldc) = (accumulate ? c_tile : 0) + a_sliver · b_sliver over kc steps.
// a_sliver: kc groups of kMr floats (a column of the 6 rows each); b_sliver: kc groups of kNr
// floats (a row of the 16 columns each), 32-byte aligned.
void micro_kernel(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
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

// Packs a[0:mc, 0:kc] (element (i, p) at a[i·rs + p·cs]) as slivers of kMr rows: sliver s
// holds, for each p, a[s·kMr + 0..5, p], rows past mc as zeros.
void pack_a(int64_t mc, int64_t kc, const float* a, int64_t rs, int64_t cs, float* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += kMr, out += kMr * kc) {
    const int64_t mr = std::min(kMr, mc - i0);
    const float* src = a + i0 * rs;
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < mr; ++i) out[p * kMr + i] = src[i * rs + p * cs];
      for (int64_t i = mr; i < kMr; ++i) out[p * kMr + i] = 0.0f;
    }
  }
}

// Packs b[0:kc, 0:nc] (element (p, j) at b[p·rs + j·cs]) as slivers of kNr columns: sliver s
// holds, for each p, b[p, s·kNr + 0..15], columns past nc as zeros. The loops run along
// whichever index is contiguous in b.
void pack_b(int64_t kc, int64_t nc, const float* b, int64_t rs, int64_t cs, float* out) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNr, out += kNr * kc) {
    const int64_t nr = std::min(kNr, nc - j0);
    const float* src = b + j0 * cs;
    if (nr < kNr) std::fill(out, out + kNr * kc, 0.0f);
    if (cs == 1 || rs != 1) {  // rows of b contiguous (or neither): copy row pieces
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t j = 0; j < nr; ++j) out[p * kNr + j] = src[p * rs + j * cs];
    } else {  // columns of b contiguous (a transposed view): copy column pieces
      for (int64_t j = 0; j < nr; ++j)
        for (int64_t p = 0; p < kc; ++p) out[p * kNr + j] = src[p + j * cs];
    }
  }
}

// Packing buffers, one pair per thread, 64-byte aligned, grown on demand and kept.
struct PackBuffers {
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float[], Free> a, b;
  int64_t a_size = 0, b_size = 0;

  static float* grow(std::unique_ptr<float[], Free>& buf, int64_t& size, int64_t need) {
    if (need > size) {
      const size_t bytes = (size_t(need) * sizeof(float) + 63) / 64 * 64;
      float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!p) throw std::bad_alloc();
      buf.reset(p);
      size = need;
    }
    return buf.get();
  }
};

}  // namespace

bool sgemm_avx2_built() { return true; }

void sgemm_avx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
                const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  thread_local PackBuffers buffers;
  const int64_t nc_max = (std::min(n, kNc) + kNr - 1) / kNr * kNr;
  const int64_t mc_max = (std::min(m, kMc) + kMr - 1) / kMr * kMr;
  float* packed_b = PackBuffers::grow(buffers.b, buffers.b_size, std::min(k, kKc) * nc_max);
  float* packed_a = PackBuffers::grow(buffers.a, buffers.a_size, std::min(k, kKc) * mc_max);
  alignas(32) float edge[kMr * kNr];

  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const bool accumulate = pc > 0;
      pack_b(kc, nc, b + pc * b_rs + jc * b_cs, b_rs, b_cs, packed_b);
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = std::min(kMc, m - ic);
        pack_a(mc, kc, a + ic * a_rs + pc * a_cs, a_rs, a_cs, packed_a);
        for (int64_t jr = 0; jr < nc; jr += kNr) {
          const int64_t nr = std::min(kNr, nc - jr);
          const float* b_sliver = packed_b + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += kMr) {
            const int64_t mr = std::min(kMr, mc - ir);
            const float* a_sliver = packed_a + ir * kc;
            float* tile = c + (ic + ir) * ldc + (jc + jr);
            if (mr == kMr && nr == kNr) {
              micro_kernel(kc, a_sliver, b_sliver, tile, ldc, accumulate);
              continue;
            }
            // A partial tile: compute all 6 × 16 into `edge`, write back the valid part.
            micro_kernel(kc, a_sliver, b_sliver, edge, kNr, false);
            for (int64_t i = 0; i < mr; ++i)
              for (int64_t j = 0; j < nr; ++j)
                tile[i * ldc + j] = accumulate ? tile[i * ldc + j] + edge[i * kNr + j] : edge[i * kNr + j];
          }
        }
      }
    }
  }
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
