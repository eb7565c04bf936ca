// The one strided loop every elementwise CPU kernel uses.
//
// for_each_row walks the index space of `shape` for K operands with their own strides
// (in elements). Dimensions that are contiguous for every operand are merged first, so a
// contiguous tensor becomes a single row. For each innermost row it calls
//   row(n, offsets, steps)
// with the element offset of the row's first element in each operand and the per-element
// step of each operand along the row. Rows are spread over OpenMP threads when the work is
// large enough to pay for it.
#pragma once
#include <array>
#include <algorithm>
#include <cstdint>

#include <omp.h>

#include "tensor/shape.h"

namespace dn::cpu {

constexpr int64_t kParallelGrain = 32768;  // elements; below this one thread is faster

template <size_t K, class RowFn>
void for_each_row(const Shape& shape, const std::array<Shape, K>& strides, RowFn&& row) {
  // Merge dims from the innermost outwards; skip size-1 dims.
  Shape dims;
  std::array<Shape, K> st;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = strides[k][i] == st[k].back() * dims.back();
    if (merge) {
      dims.back() *= shape[i];
    } else {
      dims.push_back(shape[i]);
      for (size_t k = 0; k < K; ++k) st[k].push_back(strides[k][i]);
    }
  }
  int64_t total = numel_of(shape);
  if (total == 0) return;
  if (dims.empty()) {  // a single element
    std::array<int64_t, K> off{}, step{};
    row(int64_t(1), off, step);
    return;
  }
  // dims[0] is the innermost (row) dimension; the rest are outer, innermost first.
  const int64_t n = dims[0];
  const int64_t rows = total / n;
  std::array<int64_t, K> step;
  for (size_t k = 0; k < K; ++k) step[k] = st[k][0];
  if (rows == 1) {  // one long row: split it into chunks instead
    int64_t chunks = n >= 2 * kParallelGrain
                         ? std::min<int64_t>(4 * omp_get_max_threads(), n / kParallelGrain)
                         : 1;
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
      std::array<int64_t, K> off;
      for (size_t k = 0; k < K; ++k) off[k] = begin * step[k];
      row(end - begin, off, step);
    }
    return;
  }
#pragma omp parallel for schedule(static) if (total >= kParallelGrain && rows > 1)
  for (int64_t r = 0; r < rows; ++r) {
    std::array<int64_t, K> off{};
    int64_t rem = r;
    for (size_t d = 1; d < dims.size(); ++d) {
      int64_t idx = rem % dims[d];
      rem /= dims[d];
      for (size_t k = 0; k < K; ++k) off[k] += idx * st[k][d];
    }
    row(n, off, step);
  }
}

// Splits [0, n) into chunks for OpenMP when n*cost_per_item is large enough.
inline bool worth_parallel(int64_t n, int64_t cost_per_item) {
  return n > 1 && n * cost_per_item >= kParallelGrain;
}

}  // namespace dn::cpu
