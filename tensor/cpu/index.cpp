// CPU indexing kernels: index_select, its adjoint index_add, and topk.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

namespace {
// Views a contiguous tensor as [outer, size(dim), inner].
struct Split3 {
  int64_t outer = 1, mid = 1, inner = 1;
};
Split3 split_at(const Shape& shape, int64_t dim) {
  Split3 s;
  for (int64_t i = 0; i < dim; ++i) s.outer *= shape[i];
  s.mid = shape[dim];
  for (size_t i = dim + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}
}  // namespace

// x and out contiguous; index int64 contiguous, already checked to be in range.
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const Split3 in = split_at(x.shape(), dim);
  const int64_t count = index.numel();
  const int64_t* idx = index.data<int64_t>();
  const size_t esize = dtype_size(x.dtype());
  const char* px = static_cast<const char*>(x.data_ptr());
  char* po = static_cast<char*>(out.data_ptr());
  const size_t row_bytes = in.inner * esize;
#pragma omp parallel for collapse(2) schedule(static) if (worth_parallel(in.outer * count, in.inner))
  for (int64_t o = 0; o < in.outer; ++o)
    for (int64_t j = 0; j < count; ++j)
      std::memcpy(po + ((o * count + j) * in.inner) * esize,
                  px + ((o * in.mid + idx[j]) * in.inner) * esize, row_bytes);
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const Split3 o3 = split_at(out.shape(), dim);
  const int64_t count = index.numel();
  const int64_t* idx = index.data<int64_t>();
  dispatch_float(out.dtype(), "index_add", [&](auto tag) {
    using T = decltype(tag);
    T* po = out.data<T>();
    const T* ps = src.data<T>();
    // Parallel over `outer` only: repeated indices add into the same row, in order.
#pragma omp parallel for schedule(static) if (worth_parallel(o3.outer, count * o3.inner))
    for (int64_t o = 0; o < o3.outer; ++o)
      for (int64_t j = 0; j < count; ++j) {
        T* dst = po + (o * o3.mid + idx[j]) * o3.inner;
        const T* s = ps + (o * count + j) * o3.inner;
        for (int64_t i = 0; i < o3.inner; ++i) dst[i] += s[i];
      }
  });
}

void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, bool largest) {
  const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
  dispatch_float(x.dtype(), "topk", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* pv = values.data<T>();
    int64_t* pi = indices.data<int64_t>();
#pragma omp parallel for schedule(static) if (worth_parallel(rows, n * 16))
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = px + r * n;
      std::vector<int64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      // NaN counts as the largest value (as in PyTorch); ties keep the lower index first.
      const bool want_largest = largest;  // a local copy: clang rejects the capture otherwise
      auto before = [xr, want_largest](int64_t i, int64_t j) {
        const bool largest = want_largest;
        T a = xr[i], b = xr[j];
        bool an = std::isnan(a), bn = std::isnan(b);
        if (an || bn) return largest ? (an && !bn) || (an && bn && i < j) : (bn && !an) || (an && bn && i < j);
        if (a != b) return largest ? a > b : a < b;
        return i < j;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      for (int64_t j = 0; j < k; ++j) {
        pv[r * k + j] = xr[order[j]];
        pi[r * k + j] = order[j];
      }
    }
  });
}

}  // namespace dn::cpu
