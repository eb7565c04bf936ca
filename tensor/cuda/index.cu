// CUDA indexing kernels: index_select (a gather along one dim) and its adjoint index_add.
// Both see contiguous tensors as [outer, size(dim), inner].
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.cuh"

namespace dn::cuda {

namespace {

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

// out[o, j, i] = x[o, index[j], i], any dtype (moved as words of the element's size).
template <class Word>
struct Gather {
  Word* out;
  const Word* x;
  const int64_t* index;
  int64_t count, mid, inner;
  __device__ void operator()(int64_t e) const {
    const int64_t i = e % inner, j = (e / inner) % count, o = e / (inner * count);
    out[e] = x[(o * mid + index[j]) * inner + i];
  }
};

// One thread per (o, i) walks j in order: repeated indices add up in the CPU's order, no
// atomics, and the result is the same every run.
template <class T>
struct AddInOrder {
  T* out;
  const T* src;
  const int64_t* index;
  int64_t count, mid, inner;
  __device__ void operator()(int64_t e) const {
    const int64_t i = e % inner, o = e / inner;
    for (int64_t j = 0; j < count; ++j)
      out[(o * mid + index[j]) * inner + i] += src[(o * count + j) * inner + i];
  }
};

// One thread per source element, atomic adds: for few (o, i) pairs and many indices, where
// the in-order walk would leave the GPU idle. Sums then round in a varying order.
template <class T>
struct AddAtomic {
  T* out;
  const T* src;
  const int64_t* index;
  int64_t count, mid, inner;
  __device__ void operator()(int64_t e) const {
    const int64_t i = e % inner, j = (e / inner) % count, o = e / (inner * count);
    atomicAdd(out + (o * mid + index[j]) * inner + i, src[e]);
  }
};

}  // namespace

void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const char* op = "index_select";
  const DeviceContext& ctx = context_of(out, op);
  DN_CHECK(index.device() == x.device() && index.dtype() == DType::i64, op,
           ": index must be an int64 tensor on ", x.device().str(), ", got ", index.describe());
  const Split3 in = split_at(x.shape(), dim);
  const int64_t count = index.numel();
  const int64_t n = in.outer * count * in.inner;
  auto run = [&](auto word) {
    using W = decltype(word);
    launch_items(op, ctx, n,
                 Gather<W>{ptr<W>(out), ptr<const W>(x), ptr<const int64_t>(index), count,
                           in.mid, in.inner});
  };
  switch (dtype_size(x.dtype())) {
    case 1: return run(uint8_t{});
    case 2: return run(uint16_t{});
    case 4: return run(uint32_t{});
    case 8: return run(uint64_t{});
  }
  fail(op, ": unexpected element size");
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const char* op = "index_add";
  const DeviceContext& ctx = context_of(out, op);
  DN_CHECK(index.device() == out.device() && index.dtype() == DType::i64, op,
           ": index must be an int64 tensor on ", out.device().str(), ", got ", index.describe());
  const Split3 o3 = split_at(out.shape(), dim);
  const int64_t count = index.numel();
  const int64_t lanes = o3.outer * o3.inner;
  dispatch_float(out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const int64_t* idx = ptr<const int64_t>(index);
    if (lanes >= 4096 || count <= 64)
      launch_items(op, ctx, lanes, AddInOrder<T>{ptr<T>(out), ptr<const T>(src), idx, count, o3.mid, o3.inner});
    else
      launch_items(op, ctx, lanes * count, AddAtomic<T>{ptr<T>(out), ptr<const T>(src), idx, count, o3.mid, o3.inner});
  });
}

}  // namespace dn::cuda
