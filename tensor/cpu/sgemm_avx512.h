// The project's own float32 matrix product for AVX-512 processors: the BLIS loop nest and
// packing of sgemm_avx2 (shared in sgemm_blocked.h) around a micro-kernel for the 32 zmm
// registers of AVX-512 (16 floats each). Single-threaded: tensor/cpu/matmul.cpp shares the
// work out over the threads and calls this on each thread's block.
//
// Why our own: Eigen's AVX-512 product reaches 65-82% of OpenBLAS's SkylakeX sgemm at the
// ViT-S shapes; this one is the default wherever the build targets AVX-512 (matmul.cpp).
#pragma once
#include <cstdint>

namespace dn::cpu {

// The register tile: the micro-kernel computes this many rows × columns of c at a time
// (24 accumulators: 12 rows × 2 vectors of 16; 14 × 32, 8 × 48 and 6 × 64 measured no faster
// on a Zen 5 EPYC). matmul.cpp cuts the threads' blocks on these edges, so that no block
// starts a partial tile.
inline constexpr int64_t kSgemmAvx512TileRows = 12, kSgemmAvx512TileCols = 32;

// Whether this build has the kernel: decided at build time, by whether the compiler targets
// AVX-512F (-march=native on such a CPU; meson's default). A binary built so runs only on
// AVX-512 CPUs anyway, as the rest of the build uses AVX-512 too.
bool sgemm_avx512_built();

// c[m, n] (row-major, row stride ldc) = a[m, k] · b[k, n], with the same contract as
// sgemm_avx2 (sgemm_avx2.h): any strides for a and b, k = 0 gives zeros, nothing past n in
// a row of c is touched, and equal inputs give equal bits wherever they lie in memory.
void sgemm_avx512(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs, int64_t a_cs,
                  const float* b, int64_t b_rs, int64_t b_cs, float* c, int64_t ldc);

}  // namespace dn::cpu
