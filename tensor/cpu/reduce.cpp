// CPU reductions over the columns of a [rows, cols] view (any strides).
#include <cmath>
#include <limits>
#include <vector>

#include <omp.h>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

namespace {

// Float32 sums accumulate in double: a sum over a whole 392x392 map stays exact to float.
template <class T> using Acc = double;

template <class T>
T reduce_one_row(ReduceOp op, const T* x, int64_t n, int64_t step) {
  if (op == ReduceOp::sum) {
    Acc<T> acc = 0;
    if (step == 1) {
#pragma omp simd reduction(+ : acc)
      for (int64_t i = 0; i < n; ++i) acc += x[i];
    } else {
      for (int64_t i = 0; i < n; ++i) acc += x[i * step];
    }
    return T(acc);
  }
  T best = op == ReduceOp::max ? -std::numeric_limits<T>::infinity()
                               : std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    T v = x[i * step];
    if (std::isnan(v)) return v;  // NaN propagates, as in PyTorch
    best = op == ReduceOp::max ? (v > best ? v : best) : (v < best ? v : best);
  }
  return best;
}

}  // namespace

void reduce_rows(ReduceOp op, const Tensor& out, const Tensor& x) {
  const int64_t rows = x.size(0), cols = x.size(1);
  const int64_t row_stride = x.stride(0), col_stride = x.stride(1);
  dispatch_float(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    if (op == ReduceOp::sum && row_stride == 1 && col_stride != 1 && rows > 1) {
      // Reducing over leading dims (a bias gradient, say): walk the columns in memory order
      // and accumulate a whole block of rows at once, so the inner loop is contiguous.
      const int64_t block = 1024;
#pragma omp parallel for schedule(static) if (worth_parallel(rows, cols))
      for (int64_t r0 = 0; r0 < rows; r0 += block) {
        const int64_t r1 = std::min(rows, r0 + block);
        std::vector<double> acc(r1 - r0, 0.0);
        for (int64_t c = 0; c < cols; ++c) {
          const T* col = px + c * col_stride;
#pragma omp simd
          for (int64_t r = r0; r < r1; ++r) acc[r - r0] += col[r];
        }
        for (int64_t r = r0; r < r1; ++r) po[r] = T(acc[r - r0]);
      }
      return;
    }
#pragma omp parallel for schedule(static) if (worth_parallel(rows, cols))
    for (int64_t r = 0; r < rows; ++r)
      po[r] = reduce_one_row<T>(op, px + r * row_stride, cols, col_stride);
  });
}

}  // namespace dn::cpu
