// CPU matrix products with Eigen. Operands arrive as strided [batch, rows, cols] views;
// a transposed operand (unit stride along its rows) is mapped column-major instead of being
// copied. Large single products use Eigen's own OpenMP partitioning; many small products
// (attention heads) are spread over threads one product each.
// GCC 12 reports a false "may be used uninitialized" inside its own AVX-512 headers
// (_mm512_undefined) when Eigen instantiates them; silence it for this file only.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#include <omp.h>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"

namespace dn::cpu {

namespace {

template <class T>
using RowMajorMap =
    Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
               Eigen::OuterStride<>>;
template <class T>
using ColMajorMap =
    Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0,
               Eigen::OuterStride<>>;

// Calls f with an Eigen map of the [rows, cols] matrix at p with the given strides.
// One of the strides is 1 (the op API makes sure of that).
template <class T, class F>
void with_matrix(const T* p, int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride,
                 F&& f) {
  if (col_stride == 1 || cols == 1) {
    f(RowMajorMap<T>(p, rows, cols, Eigen::OuterStride<>(rows == 1 ? cols : row_stride)));
  } else {
    f(ColMajorMap<T>(p, rows, cols, Eigen::OuterStride<>(cols == 1 ? rows : col_stride)));
  }
}

template <class T>
void matmul_one(T* out, int64_t m, int64_t n, const T* a, int64_t k, int64_t a_rs, int64_t a_cs,
                const T* b, int64_t b_rs, int64_t b_cs) {
  using OutMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  OutMap o(out, m, n);
  if (k == 0) {
    o.setZero();
    return;
  }
  with_matrix(a, m, k, a_rs, a_cs, [&](const auto& A) {
    with_matrix(b, k, n, b_rs, b_cs, [&](const auto& B) { o.noalias() = A * B; });
  });
}

}  // namespace

void matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  dispatch_float(out.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    T* po = out.data<T>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    auto one = [&](int64_t i) {
      matmul_one<T>(po + i * m * n, m, n, pa + i * a.stride(0), k, a.stride(1), a.stride(2),
                    pb + i * b.stride(0), b.stride(1), b.stride(2));
    };
    const int threads = omp_get_max_threads();
    // Many products, each too small to split well: one thread per product. Eigen sees it
    // is inside a parallel region and runs single-threaded.
    if (batch >= threads && threads > 1 && m * n * k < 256LL * 256 * 256 * 4) {
#pragma omp parallel for schedule(dynamic)
      for (int64_t i = 0; i < batch; ++i) one(i);
    } else {
      for (int64_t i = 0; i < batch; ++i) one(i);
    }
  });
}

void set_num_threads(int n) {
  omp_set_num_threads(n);
  Eigen::setNbThreads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace dn::cpu
