// cat, index_select, index_add, topk.
#include "tensor/ops_common.h"

namespace dn::kernel {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  DN_CHECK(!tensors.empty(), "cat: no tensors given");
  const Tensor& first = tensors[0];
  check_defined("cat", first);
  const int64_t d = normalize_dim("cat", dim, first.dim());
  Shape shape = first.shape();
  shape[d] = 0;
  for (const Tensor& t : tensors) {
    check_defined("cat", t);
    check_same_dtype("cat", first, t);
    check_same_device("cat", first, t);
    DN_CHECK(t.dim() == first.dim(), "cat: ", t.describe(), " and ", first.describe(),
             " differ in rank");
    for (int64_t i = 0; i < t.dim(); ++i)
      DN_CHECK(i == d || t.shape()[i] == first.shape()[i], "cat: ", shape_str(t.shape()),
               " and ", shape_str(first.shape()), " differ outside dim ", d);
    shape[d] += t.shape()[d];
  }
  Tensor out = empty(shape, first.dtype(), first.device());
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    copy_(narrow(out, d, at, t.shape()[d]), t);
    at += t.shape()[d];
  }
  return out;
}

namespace {
Tensor checked_index(const char* op, const Tensor& index, int64_t size) {
  check_defined(op, index);
  DN_CHECK(index.dtype() == DType::i64 && index.dim() == 1, op,
           ": index must be a 1-D int64 tensor, got ", index.describe());
  Tensor idx = contiguous(index);
  for (int64_t v : to_vector<int64_t>(idx))
    DN_CHECK(v >= 0 && v < size, op, ": index ", v, " out of range [0, ", size, ")");
  return idx;
}
}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_defined("index_select", x);
  const int64_t d = normalize_dim("index_select", dim, x.dim());
  Tensor idx = checked_index("index_select", index, x.shape()[d]);
  check_same_device("index_select", x, idx);
  Shape shape = x.shape();
  shape[d] = idx.numel();
  Tensor out = empty(shape, x.dtype(), x.device());
  if (out.numel() > 0) DN_RUN_KERNEL(x.device(), index_select, out, contiguous(x), d, idx);
  return out;
}

Tensor index_add(const Tensor& base, int64_t dim, const Tensor& index, const Tensor& src) {
  check_defined("index_add", base);
  check_defined("index_add", src);
  check_same_dtype("index_add", base, src);
  const int64_t d = normalize_dim("index_add", dim, base.dim());
  Tensor idx = checked_index("index_add", index, base.shape()[d]);
  Shape want = base.shape();
  want[d] = idx.numel();
  DN_CHECK(src.shape() == want, "index_add: source ", src.describe(), " should be ",
           shape_str(want));
  Tensor out = clone(base);
  if (src.numel() > 0) DN_RUN_KERNEL(base.device(), index_add, out, d, idx, contiguous(src));
  return out;
}

TopK topk(const Tensor& x, int64_t k, int64_t dim, bool largest) {
  check_defined("topk", x);
  check_math_dtype("topk", x);
  const int64_t d = normalize_dim("topk", dim, std::max<int64_t>(x.dim(), 1));
  Tensor moved = contiguous(x.dim() == 0 ? reshape(x, {1}) : move_dim_to_end(x, d));
  const int64_t n = moved.size(-1);
  DN_CHECK(k >= 0 && k <= n, "topk: k = ", k, " out of range for a dim of size ", n);
  Shape shape = moved.shape();
  shape.back() = k;
  TopK r{empty(shape, x.dtype(), x.device()), empty(shape, DType::i64, x.device())};
  if (k > 0 && r.values.numel() > 0)
    DN_RUN_KERNEL(x.device(), topk, r.values, r.indices, moved, k, largest);
  if (x.dim() > 0 && d != x.dim() - 1) {
    r.values = contiguous(move_end_to_dim(r.values, d));
    r.indices = contiguous(move_end_to_dim(r.indices, d));
  }
  return r;
}

}  // namespace dn::kernel
