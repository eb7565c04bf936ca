// The part of the project's own float32 GEMMs that does not depend on the vector width: the
// BLIS loop nest (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
// Functionality", 2015; Goto & van de Geijn 2008), the packing of the operands, and the
// handling of partial tiles. sgemm_avx2.cpp and sgemm_avx512.cpp each supply only a register
// micro-kernel and its tile and block sizes; both include this header.
//
// c = a · b is cut into blocks that fit the caches, and each block's operands are copied
// ("packed") into the order in which the micro-kernel reads them:
//
//   for jc over n, step Nc:            a kc × nc panel of b, packed      -> L3
//     for pc over k, step Kc:
//       pack b[pc:pc+kc, jc:jc+nc] as slivers of Nr columns, row after row
//       for ic over m, step Mc:        an mc × kc block of a, packed     -> L2
//         pack a[ic:ic+mc, pc:pc+kc] as slivers of Mr rows, column after column
//         for jr over nc, step Nr:     one b sliver (kc × Nr)            -> L1
//           for ir over mc, step Mr:
//             micro-kernel: c[Mr × Nr] (+)= a sliver (Mr × kc) · b sliver (kc × Nr)
//
// Edges: packing pads the slivers with zeros to full Mr / Nr, so the micro-kernel always
// runs full size; a partial tile is computed into a local Mr × Nr buffer and only its valid
// part is written to c. Summation order: for each element of c, the products of one kc
// block are summed in order of p, then the block's sum is added to c (block after block).
// That order depends only on the sizes, never on addresses or threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace dn::cpu::sgemm_blocked {

// What a kernel supplies (see sgemm_avx2.cpp for an example):
//   static constexpr int64_t kMr, kNr;     the register tile: rows × columns of c
//   static constexpr int64_t kKc, kMc, kNc; the cache blocks (depth, rows of a, columns of b)
//   static void tile(int64_t kc, const float* a_sliver, const float* b_sliver, float* c,
//                    int64_t ldc, bool accumulate);
// where tile() computes c[kMr × kNr] (row stride ldc) = (accumulate ? c : 0) + the sum over
// p < kc of a_sliver[p·kMr + i] · b_sliver[p·kNr + j]; b_sliver is 64-byte aligned.

// Packs a[0:mc, 0:kc] (element (i, p) at a[i·rs + p·cs]) as slivers of Mr rows: sliver s
// holds, for each p, a[s·Mr + 0..Mr-1, p], rows past mc as zeros.
template <int64_t Mr>
void pack_a(int64_t mc, int64_t kc, const float* a, int64_t rs, int64_t cs, float* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += Mr, out += Mr * kc) {
    const int64_t mr = std::min(Mr, mc - i0);
    const float* src = a + i0 * rs;
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < mr; ++i) out[p * Mr + i] = src[i * rs + p * cs];
      for (int64_t i = mr; i < Mr; ++i) out[p * Mr + i] = 0.0f;
    }
  }
}

// Packs b[0:kc, 0:nc] (element (p, j) at b[p·rs + j·cs]) as slivers of Nr columns: sliver s
// holds, for each p, b[p, s·Nr + 0..Nr-1], columns past nc as zeros. The loops run along
// whichever index is contiguous in b.
template <int64_t Nr>
void pack_b(int64_t kc, int64_t nc, const float* b, int64_t rs, int64_t cs, float* out) {
  for (int64_t j0 = 0; j0 < nc; j0 += Nr, out += Nr * kc) {
    const int64_t nr = std::min(Nr, nc - j0);
    const float* src = b + j0 * cs;
    if (nr < Nr) std::fill(out, out + Nr * kc, 0.0f);
    if (cs == 1 || rs != 1) {  // rows of b contiguous (or neither): copy row pieces
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t j = 0; j < nr; ++j) out[p * Nr + j] = src[p * rs + j * cs];
    } else {  // columns of b contiguous (a transposed view): copy column pieces
      for (int64_t j = 0; j < nr; ++j)
        for (int64_t p = 0; p < kc; ++p) out[p * Nr + j] = src[p + j * cs];
    }
  }
}

// Packing buffers, one pair per thread and kernel, 64-byte aligned, grown on demand and kept.
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

// c[m, n] (row stride ldc) = a[m, k] · b[k, n] with Kernel's micro-kernel, a and b read with
// any strides (see sgemm_avx2.h). k = 0 gives zeros; m = 0 or n = 0 writes nothing.
template <class Kernel>
void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
          const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc) {
  constexpr int64_t kMr = Kernel::kMr, kNr = Kernel::kNr;
  constexpr int64_t kKc = Kernel::kKc, kMc = Kernel::kMc, kNc = Kernel::kNc;
  static_assert(kMc % kMr == 0 && kNc % kNr == 0, "blocks must hold whole tiles");
  static_assert(kNr * sizeof(float) % 64 == 0, "b slivers must stay 64-byte aligned");
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
  alignas(64) float edge[kMr * kNr];

  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const bool accumulate = pc > 0;
      pack_b<kNr>(kc, nc, b + pc * b_rs + jc * b_cs, b_rs, b_cs, packed_b);
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = std::min(kMc, m - ic);
        pack_a<kMr>(mc, kc, a + ic * a_rs + pc * a_cs, a_rs, a_cs, packed_a);
        for (int64_t jr = 0; jr < nc; jr += kNr) {
          const int64_t nr = std::min(kNr, nc - jr);
          const float* b_sliver = packed_b + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += kMr) {
            const int64_t mr = std::min(kMr, mc - ir);
            const float* a_sliver = packed_a + ir * kc;
            float* tile = c + (ic + ir) * ldc + (jc + jr);
            if (mr == kMr && nr == kNr) {
              Kernel::tile(kc, a_sliver, b_sliver, tile, ldc, accumulate);
              continue;
            }
            // A partial tile: compute all of it into `edge`, write back the valid part.
            Kernel::tile(kc, a_sliver, b_sliver, edge, kNr, false);
            for (int64_t i = 0; i < mr; ++i)
              for (int64_t j = 0; j < nr; ++j)
                tile[i * ldc + j] = accumulate ? tile[i * ldc + j] + edge[i * kNr + j] : edge[i * kNr + j];
          }
        }
      }
    }
  }
}

}  // namespace dn::cpu::sgemm_blocked
