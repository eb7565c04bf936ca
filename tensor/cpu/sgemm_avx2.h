// The project's own float32 matrix product for AVX2 + FMA processors (BLIS-style: packed
// panels, a 6×16 register micro-kernel). Single-threaded: tensor/cpu/matmul.cpp shares the
// work out over the threads and calls this on each thread's block.
//
// Why our own: on AVX2 machines Eigen's product (a 24×4 micro-kernel) reaches about 72% of
// OpenBLAS's sgemm at the ViT-S shapes; this one is written for the 16 ymm registers of AVX2
// (12 accumulators, 2 for B, 1 for A). On AVX-512 machines sgemm_avx512 is the default
// (matmul.cpp), and this kernel is still built and tested there.
#pragma once
#include <cstdint>

namespace dn::cpu {

// The register tile: the micro-kernel computes this many rows × columns of c at a time.
// matmul.cpp cuts the threads' blocks on these edges, so that no block starts a partial tile.
inline constexpr int64_t kSgemmAvx2TileRows = 6, kSgemmAvx2TileCols = 16;

// Whether this build has the kernel: decided at build time, by whether the compiler targets
// AVX2 and FMA (-march=native on such a CPU; meson's default).
bool sgemm_avx2_built();

// c[m, n] (row-major, row stride ldc) = a[m, k] · b[k, n], where element (i, p) of a is
// a[i·a_rs + p·a_cs] and element (p, j) of b is b[p·b_rs + j·b_cs] (any strides: transposed
// views are read in place while packing). k = 0 gives zeros. Summation order depends only on
// the sizes, never on addresses or threads, so equal inputs give equal bits.
void sgemm_avx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
                const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc);

}  // namespace dn::cpu
