// bfloat16 products with AVX512-BF16 (see matmul_bf16.h): the same products as the AMX kernel
// (matmul_bf16.cpp), on the vector unit of AMD Zen 4 / Zen 5 and Intel Xeon since Cooper Lake.
//
// The instruction, VDPBF16PS, works on pairs: in each of its 16 32-bit lanes it adds two
// products of bf16 values to a float32 sum,
//   c[j] += a[2j]·b[2j] + a[2j+1]·b[2j+1]
// (each product of two bf16 values is exact in float32; the sums are float32, inputs and
// outputs below float32's normal range are taken as zero). So the depth k is walked two at a
// time, and both operands are packed as pairs of k: 32-bit words holding (x(2p), x(2p+1))
// rounded to bf16 (nearest, ties to even), zero past k.
//
// Layout of the packed operands (one 32-bit pair per cell, p the pair index along k):
//   A: slivers of kMr rows; sliver s holds, for each p, the pairs of rows s·kMr + 0..kMr-1:
//        a_packed[s][p][i] = (A(s·kMr+i, 2p), A(s·kMr+i, 2p+1))
//   B: slivers of kNr columns; sliver t holds, for each p, the pairs of columns t·kNr + 0..kNr-1:
//        b_packed[t][p][j] = (B(2p, t·kNr+j), B(2p+1, t·kNr+j))
// Rows past m and columns past n are zero. The micro-kernel then reads, per pair step, kNr/16
// vectors of b (16 columns × one pair each) and broadcasts one pair of a per row: that is the
// float32 kernel's register tiling (sgemm_avx512.cpp: 12 × 32 of c in 24 registers, 2 of b, 1
// broadcast) with k counted in pairs, so each step does twice the float32 kernel's work.
//
// Blocks as in the BLIS loop nest of sgemm_blocked.h, but both operands are packed whole,
// once, before the products (they are half the size in bf16, and the model's products are a
// few MB): a b sliver of kKc pairs (256 pairs × 32 columns × 4 bytes = 32 KB, as the float32
// kernel's; L1 is 48 KB on Zen 5, 32 KB on Zen 4) stays in L1, a block of kMc rows of a
// (120 × 256 pairs × 4 bytes = 120 KB) in L2. Threads take blocks of
// c (kMc rows × kNc columns) in turn; each element of c sums its k in the same order whatever
// the thread count.
//
// The instructions are enabled for this file only (target pragma), so a build for a processor
// without them still compiles; avx512_bf16_available() asks cpuid before use.
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512bf16")
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 in its own AVX-512 headers
#include <cpuid.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "tensor/cpu/matmul_bf16.h"
#include "tensor/error.h"

namespace dn::cpu {

namespace {

constexpr int kRows = 12, kVectors = 2;             // the register tile of c: 12 × 32
constexpr int64_t kMr = kRows, kNr = 16 * kVectors;
constexpr int64_t kKc = 256;                         // pairs of k per block (512 values of k)
constexpr int64_t kMc = 10 * kMr, kNc = 8 * kNr;     // rows and columns of c per thread block

bool ask_for_avx512_bf16() {
  unsigned a, b, c, d;
  // The OS must save the AVX-512 registers: XCR0 bits 1, 2 (SSE, AVX) and 5, 6, 7 (AVX-512).
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return false;  // OSXSAVE
  unsigned xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 0xe6) != 0xe6) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool f = b & (1u << 16), bw = b & (1u << 30), vl = b & (1u << 31);
  if (!f || !bw || !vl) return false;
  if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  return a & (1u << 5);  // AVX512_BF16
}

// A strided float32 matrix view: element (r, c) at p[r·rs + c·cs].
struct View {
  const float* p;
  int64_t rows, cols, rs, cs;
};

// The first min(count, 16) of p[0], p[stride], ..., zeros after them.
inline __m512 load16(const float* p, int64_t stride, int64_t count) {
  if (count <= 0) return _mm512_setzero_ps();
  count = std::min<int64_t>(count, 16);
  if (stride == 1) return _mm512_maskz_loadu_ps(__mmask16((1u << count) - 1), p);
  alignas(64) float v[16] = {};
  for (int64_t i = 0; i < count; ++i) v[i] = p[i * stride];
  return _mm512_load_ps(v);
}

// 16 pairs (lo[i], hi[i]) as bf16 in the 16 32-bit lanes, lo in the low half.
inline __m512i pack_pairs(__m512 lo, __m512 hi) {
  const __m512i l = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(lo));
  const __m512i h = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(hi));
  return _mm512_or_si512(l, _mm512_slli_epi32(h, 16));
}

// 32 values x[0], x[stride], ... (zeros past `count`) as 16 pairs: lane q = (x[2q], x[2q+1]).
inline __m512i pairs_along(const float* x, int64_t stride, int64_t count) {
  const __m512 lo = load16(x, stride, std::min<int64_t>(16, count));
  const __m512 hi = load16(x + 16 * stride, stride, count - 16);
  return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

// Packs the whole of `x` as slivers of `width` "lines" along `line` (the rows of A, the
// columns of B) and pairs along `depth` (k):
//   out[s][p][i] = (x(line s·width+i, depth 2p), x(line s·width+i, depth 2p+1)).
// x(l, d) is at p[l·ls + d·ds]. Whichever of the two is contiguous is read 16 at a time.
void pack(const float* x, int64_t lines, int64_t depth, int64_t ls, int64_t ds, int64_t width,
          uint32_t* out) {
  const int64_t pairs = (depth + 1) / 2, slivers = (lines + width - 1) / width;
  alignas(64) uint32_t tmp[16];
#pragma omp for schedule(static)
  for (int64_t s = 0; s < slivers; ++s) {
    uint32_t* o = out + s * pairs * width;
    const int64_t l0 = s * width, n_lines = std::min(width, lines - l0);
    if (ds == 1 || ls != 1) {  // along depth: one line's 16 pairs at a time
      if (n_lines < width) std::memset(o, 0, size_t(pairs * width) * sizeof(uint32_t));
      for (int64_t i = 0; i < n_lines; ++i)
        for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
          const float* src = x + (l0 + i) * ls + 2 * p0 * ds;
          _mm512_store_si512(tmp, pairs_along(src, ds, depth - 2 * p0));
          for (int64_t q = 0; q < std::min<int64_t>(16, pairs - p0); ++q) o[(p0 + q) * width + i] = tmp[q];
        }
    } else {  // along lines (ls == 1): 16 lines of one pair at a time
      for (int64_t p = 0; p < pairs; ++p)
        for (int64_t i0 = 0; i0 < width; i0 += 16) {
          const int64_t count = std::min<int64_t>(16, n_lines - i0), lanes = std::min<int64_t>(16, width - i0);
          const float* src = x + (l0 + i0) + 2 * p * ds;
          const __m512 lo = load16(src, 1, count);
          const __m512 hi = 2 * p + 1 < depth ? load16(src + ds, 1, count) : _mm512_setzero_ps();
          _mm512_mask_storeu_epi32(o + p * width + i0, __mmask16((1u << lanes) - 1), pack_pairs(lo, hi));
        }
    }
  }
}

// c_tile (row stride ldc) = (accumulate ? c_tile : 0) + Σ over `pairs` steps of the a sliver's
// pairs times the b sliver's pairs (layouts above).
void tile(int64_t pairs, const uint32_t* __restrict a, const uint32_t* __restrict b, float* c, int64_t ldc,
          bool accumulate) {
  __m512 acc[kRows][kVectors];
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    __m512bh bv[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) bv[v] = (__m512bh)_mm512_load_si512(b + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < kRows; ++i) {
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(int(a[i]));
#pragma GCC unroll 4
      for (int v = 0; v < kVectors; ++v) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], ai, bv[v]);
    }
    a += kMr;
    b += kNr;
  }
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i) {
    float* row = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
      if (accumulate) acc[i][v] = _mm512_add_ps(_mm512_loadu_ps(row + 16 * v), acc[i][v]);
      _mm512_storeu_ps(row + 16 * v, acc[i][v]);
    }
  }
}

// The packed operands, kept per calling thread and grown on demand (64-byte aligned).
struct Buffer {
  struct Free {
    void operator()(uint32_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint32_t[], Free> data;
  int64_t size = 0;
  uint32_t* get(int64_t need) {
    if (need > size) {
      data.reset();
      auto* p = static_cast<uint32_t*>(std::aligned_alloc(64, (size_t(need) * 4 + 63) / 64 * 64));
      if (!p) throw std::bad_alloc();
      data.reset(p);
      size = need;
    }
    return data.get();
  }
};

}  // namespace

bool avx512_bf16_available() {
  static const bool available = ask_for_avx512_bf16();
  return available;
}

void matmul_bf16_avx512(const Tensor& out, const Tensor& a_t, const Tensor& b_t) {
  DN_CHECK(avx512_bf16_available(), "matmul_bf16_avx512: this CPU has no AVX512-BF16");
  const int64_t m = a_t.size(0), k = a_t.size(1), n = b_t.size(1);
  float* c = out.data<float>();
  const int64_t ldc = n;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  const View a{a_t.data<float>(), m, k, a_t.stride(0), a_t.stride(1)};
  const View b{b_t.data<float>(), k, n, b_t.stride(0), b_t.stride(1)};
  const int64_t pairs = (k + 1) / 2;
  const int64_t row_slivers = (m + kMr - 1) / kMr, col_slivers = (n + kNr - 1) / kNr;
  thread_local Buffer a_buffer, b_buffer;
  uint32_t* A = a_buffer.get(row_slivers * pairs * kMr);
  uint32_t* B = b_buffer.get(col_slivers * pairs * kNr);
  const int64_t row_blocks = (m + kMc - 1) / kMc, col_blocks = (n + kNc - 1) / kNc;
  const int threads = m * n * k >= (1 << 22) && !omp_in_parallel() ? omp_get_max_threads() : 1;

#pragma omp parallel num_threads(threads)
  {
    // A's rows are its lines and k its depth; B's columns are its lines and k its depth.
    pack(a.p, m, k, a.rs, a.cs, kMr, A);  // an omp for (with its barrier) inside
    pack(b.p, n, k, b.cs, b.rs, kNr, B);
    alignas(64) float edge[kMr * kNr];
#pragma omp for collapse(2) schedule(dynamic, 1)
    for (int64_t ib = 0; ib < row_blocks; ++ib)
      for (int64_t jb = 0; jb < col_blocks; ++jb) {
        const int64_t i_end = std::min(m, (ib + 1) * kMc), j_end = std::min(n, (jb + 1) * kNc);
        for (int64_t p0 = 0; p0 < pairs; p0 += kKc) {
          const int64_t kc = std::min(kKc, pairs - p0);
          const bool accumulate = p0 > 0;
          for (int64_t j0 = jb * kNc; j0 < j_end; j0 += kNr) {
            const uint32_t* b_sliver = B + (j0 / kNr) * pairs * kNr + p0 * kNr;
            const int64_t nr = std::min(kNr, n - j0);
            for (int64_t i0 = ib * kMc; i0 < i_end; i0 += kMr) {
              const uint32_t* a_sliver = A + (i0 / kMr) * pairs * kMr + p0 * kMr;
              const int64_t mr = std::min(kMr, m - i0);
              float* dst = c + i0 * ldc + j0;
              if (mr == kMr && nr == kNr) {
                tile(kc, a_sliver, b_sliver, dst, ldc, accumulate);
                continue;
              }
              // A partial tile: all of it into `edge`, then its valid part into c.
              tile(kc, a_sliver, b_sliver, edge, kNr, false);
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t j = 0; j < nr; ++j)
                  dst[i * ldc + j] = accumulate ? dst[i * ldc + j] + edge[i * kNr + j] : edge[i * kNr + j];
            }
          }
        }
      }
  }
}

}  // namespace dn::cpu
