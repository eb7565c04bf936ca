// Shape ops move elements around without changing them, so their backward moves the
// gradient back: reshape undoes the reshape, permute applies the inverse permutation,
// narrow pads with zeros, expand sums, cat slices, index_select scatters-adds.
#include <numeric>

#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

namespace {
Tensor record_reshape(const Tensor& x, const Tensor& out) {
  return record(Op::reshape, out, {x}, [shape = x.shape()](const Tensor& g, const NeedsGrad&) {
    return Grads{kernel::reshape(g, shape)};
  });
}
}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) { return record_reshape(x, kernel::reshape(x, shape)); }
Tensor view(const Tensor& x, const Shape& shape) { return record_reshape(x, kernel::view(x, shape)); }
Tensor squeeze(const Tensor& x, int64_t dim) { return record_reshape(x, kernel::squeeze(x, dim)); }
Tensor unsqueeze(const Tensor& x, int64_t dim) { return record_reshape(x, kernel::unsqueeze(x, dim)); }

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, {1});
  const int64_t s = normalize_dim("flatten", start_dim, x.dim());
  const int64_t e = normalize_dim("flatten", end_dim, x.dim());
  Shape shape(x.shape().begin(), x.shape().begin() + s);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= x.size(d);
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor out = kernel::permute(x, dims);
  std::vector<int64_t> inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) inverse[normalize_dim("permute", dims[i], x.dim())] = int64_t(i);
  return record(Op::permute, out, {x}, [inverse](const Tensor& g, const NeedsGrad&) {
    return Grads{kernel::permute(g, inverse)};
  });
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  std::vector<int64_t> order(x.dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[normalize_dim("transpose", dim0, x.dim())],
            order[normalize_dim("transpose", dim1, x.dim())]);
  return permute(x, order);
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return record(Op::narrow, kernel::narrow(x, dim, start, length), {x},
                [shape = x.shape(), dtype = x.dtype(), device = x.device(), dim, start,
                 length](const Tensor& g, const NeedsGrad&) {
                  Tensor gx = zeros(shape, dtype, device);
                  kernel::copy_(kernel::narrow(gx, dim, start, length), g);
                  return Grads{gx};
                });
}

Tensor expand(const Tensor& x, const Shape& shape) {
  return record(Op::expand, kernel::expand(x, shape), {x},
                [in_shape = x.shape()](const Tensor& g, const NeedsGrad&) {
                  return Grads{kernel::sum_to_shape(g, in_shape)};
                });
}

Tensor contiguous(const Tensor& x) {
  if (x.is_contiguous()) return x;
  return record(Op::contiguous, kernel::contiguous(x), {x},
                [](const Tensor& g, const NeedsGrad&) { return Grads{g}; });
}

Tensor to(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return record(Op::to_dtype, kernel::to(x, dtype), {x},
                [from = x.dtype()](const Tensor& g, const NeedsGrad&) {
                  return Grads{to(g, from)};
                });
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  Tensor out = kernel::cat(tensors, dim);
  const int64_t d = normalize_dim("cat", dim, out.dim());
  std::vector<int64_t> sizes;
  for (const Tensor& t : tensors) sizes.push_back(t.size(d));
  return record(Op::cat, out, tensors, [sizes, d](const Tensor& g, const NeedsGrad& needs) {
    Grads grads(sizes.size());
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (needs[i]) grads[i] = kernel::narrow(g, d, at, sizes[i]);
      at += sizes[i];
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  DN_CHECK(!tensors.empty(), "stack: no tensors given");
  const int64_t d = normalize_dim("stack", dim, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, d));
  return cat(parts, d);
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  return record(Op::index_select, kernel::index_select(x, dim, index), {x},
                [x, dim, index](const Tensor& g, const NeedsGrad&) {
                  return Grads{kernel::index_add(zeros(x.shape(), x.dtype(), x.device()), dim, index, g)};
                });
}

}  // namespace dn
