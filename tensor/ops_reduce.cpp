// Reductions over any set of dims.
#include <algorithm>

#include "tensor/ops_common.h"

namespace dn::kernel {

Tensor reduce(ReduceOp op, const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  const char* name = op == ReduceOp::sum ? "sum" : op == ReduceOp::max ? "max" : "min";
  check_defined(name, x);
  check_math_dtype(name, x);
  const int64_t nd = x.dim();
  std::vector<bool> reduced(nd, dims.empty());
  for (int64_t d : dims) {
    int64_t k = normalize_dim(name, d, nd);
    DN_CHECK(!reduced[k] || dims.empty(), name, ": dim ", d, " listed twice");
    reduced[k] = true;
  }
  // Kept dims first, reduced dims last: then the input is a [rows, cols] matrix.
  std::vector<int64_t> order;
  Shape out_shape, kept_shape;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < nd; ++d)
    if (!reduced[d]) {
      order.push_back(d);
      rows *= x.shape()[d];
      kept_shape.push_back(x.shape()[d]);
    }
  for (int64_t d = 0; d < nd; ++d)
    if (reduced[d]) {
      order.push_back(d);
      cols *= x.shape()[d];
    }
  for (int64_t d = 0; d < nd; ++d)
    if (!reduced[d]) out_shape.push_back(x.shape()[d]);
    else if (keepdim) out_shape.push_back(1);
  DN_CHECK(cols > 0 || op == ReduceOp::sum, name, ": reducing an empty dim of ", x.describe(),
           " has no identity");

  Tensor out = empty(out_shape, x.dtype(), x.device());
  if (rows == 0) return out;
  if (cols == 0) {
    fill_(out, 0.0);
    return out;
  }
  Tensor moved = permute(x, order);
  Tensor matrix = can_view(moved, {rows, cols}) ? view(moved, {rows, cols})
                                                : view(contiguous(moved), {rows, cols});
  DN_RUN_KERNEL(x.device(), reduce_rows, op, view(out, {rows}), matrix);
  return out;
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  DN_CHECK(broadcast_shapes("sum_to_shape", shape, x.shape()) == x.shape(), "sum_to_shape: ",
           x.describe(), " is not a broadcast of ", shape_str(shape));
  // Leading dims that broadcasting added, plus dims that were 1 and got expanded.
  const int64_t lead = x.dim() - int64_t(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) dims.push_back(d);
  if (dims.empty()) return reshape(x, shape);
  return reshape(reduce(ReduceOp::sum, x, dims, true), shape);
}

}  // namespace dn::kernel
