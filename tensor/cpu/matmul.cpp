// CPU matrix products with Eigen.
//
// Contract (from ops_linalg.cpp): out [batch, m, n] contiguous = a [batch, m, k] · b [batch,
// k, n], where a and b are strided views with unit stride along one of their two matrix dims
// (a transposed operand is mapped column-major instead of being copied); a batch stride of 0
// broadcasts one operand over the batch.
//
// Threading: Eigen only ever runs single-threaded products here, and this file decides how
// the threads share the work:
//   * a batch of products that shares out evenly over the threads (attention heads), or
//     whose products are too small to cut, runs whole products, one per thread at a time;
//   * otherwise each product's output is cut into one block per thread, along m or n,
//     whichever is larger, and every thread runs an independent Eigen product on its block.
// Cutting the output needs no synchronisation until the end, whereas Eigen's own parallel
// GEMM makes the threads share packed panels and wait for each other at every panel; on a
// busy machine, where a thread can lose its core for a while, that waiting costs more than
// it saves. The price of independent blocks is that each thread packs the operand that both
// blocks read (all of b when cutting m, all of a when cutting n); cutting the larger output
// dim makes that shared operand the smaller one.
//
// Kernel: float32 products run on the project's own packed GEMM, the best one the build has:
// sgemm_avx512 (tensor/cpu/sgemm_avx512.cpp) where the build targets AVX-512, else
// sgemm_avx2 where it targets AVX2 + FMA; each reaches about OpenBLAS's speed where Eigen's
// kernels stay at 65-82% of it. Without either, and for float64, Eigen's. The choice is made
// at build time (the compiler's target, -march=native by default: __AVX512F__, __AVX2__), as
// the rest of the build is compiled for that CPU anyway. DN_CPU_MATMUL=eigen or
// DN_CPU_MATMUL=own (the best own kernel built) chooses, to measure one against the other.
//
// GCC 12 reports a false "may be used uninitialized" inside its own AVX-512 headers
// (_mm512_undefined) when Eigen instantiates them; silence it for this file only.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/sgemm_avx2.h"
#include "tensor/cpu/sgemm_avx512.h"
#include "tensor/settings.h"

namespace dn::cpu {

namespace {

// A [rows, cols] matrix at p with the given strides (in elements); one stride is 1, unless
// the matrix is a single row or column.
template <class T>
struct MatrixView {
  T* p;
  int64_t rows, cols, row_stride, col_stride;

  MatrixView row_block(int64_t begin, int64_t end) const {
    return {p + begin * row_stride, end - begin, cols, row_stride, col_stride};
  }
  MatrixView col_block(int64_t begin, int64_t end) const {
    return {p + begin * col_stride, rows, end - begin, row_stride, col_stride};
  }
};

template <class T, int Order>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Order>;
template <class T>
using OutputMap = Eigen::Map<Matrix<T, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;
template <class T>
using RowMajorMap = Eigen::Map<const Matrix<T, Eigen::RowMajor>, 0, Eigen::OuterStride<>>;
template <class T>
using ColMajorMap = Eigen::Map<const Matrix<T, Eigen::ColMajor>, 0, Eigen::OuterStride<>>;

// Calls f with an Eigen map of x: row-major when its columns are adjacent in memory,
// column-major when its rows are (a transposed view). A single row or column is either.
template <class T, class F>
void with_eigen_map(const MatrixView<const T>& x, F&& f) {
  if (x.col_stride == 1 || x.cols == 1) {
    f(RowMajorMap<T>(x.p, x.rows, x.cols,
                     Eigen::OuterStride<>(x.rows == 1 ? x.cols : x.row_stride)));
  } else {
    f(ColMajorMap<T>(x.p, x.rows, x.cols,
                     Eigen::OuterStride<>(x.cols == 1 ? x.rows : x.col_stride)));
  }
}

// The kernel of float32 products (see the top of the file); decided once.
enum class FloatGemm { eigen, own_avx2, own_avx512 };

FloatGemm float_gemm() {
  static const FloatGemm kernel = [] {
    const FloatGemm best_own = sgemm_avx512_built() ? FloatGemm::own_avx512
                               : sgemm_avx2_built() ? FloatGemm::own_avx2
                                                    : FloatGemm::eigen;
    switch (settings::cpu_matmul()) {
      case settings::CpuMatmul::eigen: return FloatGemm::eigen;
      case settings::CpuMatmul::own:
        DN_CHECK(best_own != FloatGemm::eigen,
                 "DN_CPU_MATMUL=own: this build has no own sgemm (it needs AVX2 + FMA)");
        return best_own;
      case settings::CpuMatmul::automatic:
      case settings::CpuMatmul::bf16:
      case settings::CpuMatmul::bf16_encoder: break;
    }
    return best_own;
  }();
  return kernel;
}

// out = a · b on the calling thread. out is row-major (col_stride 1).
template <class T>
void product_on_this_thread(const MatrixView<T>& out, const MatrixView<const T>& a,
                            const MatrixView<const T>& b) {
  if constexpr (std::is_same_v<T, float>) {
    switch (float_gemm()) {
      case FloatGemm::own_avx512:
        sgemm_avx512(out.rows, out.cols, a.cols, a.p, a.row_stride, a.col_stride, b.p,
                     b.row_stride, b.col_stride, out.p, out.row_stride);
        return;
      case FloatGemm::own_avx2:
        sgemm_avx2(out.rows, out.cols, a.cols, a.p, a.row_stride, a.col_stride, b.p, b.row_stride,
                   b.col_stride, out.p, out.row_stride);
        return;
      case FloatGemm::eigen:
        break;
    }
  }
  OutputMap<T> o(out.p, out.rows, out.cols, Eigen::OuterStride<>(out.row_stride));
  if (a.cols == 0) {
    o.setZero();
    return;
  }
  with_eigen_map(a, [&](const auto& A) {
    with_eigen_map(b, [&](const auto& B) { o.noalias() = A * B; });
  });
}

// Below this many multiply-adds per thread, starting the threads costs more than it saves.
constexpr int64_t kMinWorkPerThread = 1 << 20;

// How many blocks to cut an [m, n] output with inner size k into, for `threads` threads.
int64_t block_count(int64_t m, int64_t n, int64_t k, int threads) {
  const int64_t work = m * n * std::max<int64_t>(k, 1);
  return std::clamp<int64_t>(work / kMinWorkPerThread, 1, threads);
}

// Start of block i of `blocks` over [0, size), on a multiple of `granule` (the last block
// takes the remainder). Edges on the micro-kernel's tile size waste no partial tiles.
int64_t block_edge(int64_t size, int64_t blocks, int64_t i, int64_t granule) {
  if (i >= blocks) return size;
  const int64_t tiles = (size + granule - 1) / granule;
  return std::min(size, tiles * i / blocks * granule);
}

// The multiple of rows (cut_rows) or columns of out on which a thread's block should start:
// the tile of the micro-kernel in use. Ours are kSgemmAvx512TileRows × kSgemmAvx512TileCols
// and kSgemmAvx2TileRows × kSgemmAvx2TileCols of out; Eigen computes a row-major product as
// its transpose, so its tile is mr (3 vectors) along our n and nr (4) along our m (two of
// those along m).
template <class T>
int64_t tile_edge(bool cut_rows) {
  if constexpr (std::is_same_v<T, float>) {
    switch (float_gemm()) {
      case FloatGemm::own_avx512: return cut_rows ? kSgemmAvx512TileRows : kSgemmAvx512TileCols;
      case FloatGemm::own_avx2: return cut_rows ? kSgemmAvx2TileRows : kSgemmAvx2TileCols;
      case FloatGemm::eigen: break;
    }
  }
  using Traits = Eigen::internal::gebp_traits<T, T>;
  return cut_rows ? 2 * int64_t(Traits::nr) : int64_t(Traits::mr);
}

// out = a · b with the output cut into `blocks` blocks, one per thread (see the top).
template <class T>
void product_in_blocks(const MatrixView<T>& out, const MatrixView<const T>& a,
                       const MatrixView<const T>& b, int64_t blocks) {
  const bool cut_rows = out.rows >= out.cols;
  const int64_t size = cut_rows ? out.rows : out.cols;
  const int64_t granule = tile_edge<T>(cut_rows);
#pragma omp parallel for num_threads(int(blocks)) schedule(static, 1)
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t begin = block_edge(size, blocks, i, granule);
    const int64_t end = block_edge(size, blocks, i + 1, granule);
    if (begin >= end) continue;
    if (cut_rows) {
      product_on_this_thread(out.row_block(begin, end), a.row_block(begin, end), b);
    } else {
      product_on_this_thread(out.col_block(begin, end), a, b.col_block(begin, end));
    }
  }
}

}  // namespace

void matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  // Eigen must never start threads of its own: the threads are shared out above.
  static const bool eigen_single_threaded = (Eigen::setNbThreads(1), true);
  (void)eigen_single_threaded;
  // The kernel is chosen before any thread starts: a bad DN_CPU_MATMUL is an error thrown
  // here, where the caller can catch it, never inside a parallel region.
  if (out.dtype() == DType::f32) float_gemm();

  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  dispatch_float(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    auto out_i = [&](int64_t i) { return MatrixView<T>{out.data<T>() + i * m * n, m, n, n, 1}; };
    auto a_i = [&](int64_t i) {
      return MatrixView<const T>{a.data<T>() + i * a.stride(0), m, k, a.stride(1), a.stride(2)};
    };
    auto b_i = [&](int64_t i) {
      return MatrixView<const T>{b.data<T>() + i * b.stride(0), k, n, b.stride(1), b.stride(2)};
    };

    const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    const int64_t blocks = block_count(m, n, k, threads);
    // Whole products per thread when the batch shares out evenly (or nearly: with many
    // products the last uneven round matters little), or when one product is too small to cut.
    const bool whole_products =
        batch > 1 && threads > 1 && (batch % threads == 0 || batch >= 4 * threads || blocks == 1);
    if (whole_products) {
#pragma omp parallel for schedule(dynamic)
      for (int64_t i = 0; i < batch; ++i) product_on_this_thread(out_i(i), a_i(i), b_i(i));
    } else if (blocks > 1) {
      for (int64_t i = 0; i < batch; ++i) product_in_blocks(out_i(i), a_i(i), b_i(i), blocks);
    } else {
      for (int64_t i = 0; i < batch; ++i) product_on_this_thread(out_i(i), a_i(i), b_i(i));
    }
  });
}

void gemm_on_this_thread(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_rs,
                         int64_t a_cs, const float* b, int64_t b_rs, int64_t b_cs, float* c,
                         int64_t ldc) {
  product_on_this_thread(MatrixView<float>{c, m, n, ldc, 1}, MatrixView<const float>{a, m, k, a_rs, a_cs},
                         MatrixView<const float>{b, k, n, b_rs, b_cs});
}

void gemm_on_this_thread(int64_t m, int64_t n, int64_t k, const double* a, int64_t a_rs,
                         int64_t a_cs, const double* b, int64_t b_rs, int64_t b_cs, double* c,
                         int64_t ldc) {
  product_on_this_thread(MatrixView<double>{c, m, n, ldc, 1}, MatrixView<const double>{a, m, k, a_rs, a_cs},
                         MatrixView<const double>{b, k, n, b_rs, b_cs});
}

void set_num_threads(int n) { omp_set_num_threads(n); }

int num_threads() { return omp_get_max_threads(); }

const char* float_matmul_kernel() {
  switch (float_gemm()) {
    case FloatGemm::own_avx512: return "own AVX-512 sgemm";
    case FloatGemm::own_avx2: return "own AVX2 sgemm";
    case FloatGemm::eigen: break;
  }
  return "Eigen";
}

}  // namespace dn::cpu
