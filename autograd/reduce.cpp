// Reductions. The gradient of a sum spreads the output gradient back over every element
// that was summed (a broadcast); a mean divides by the count; a max sends it to the maxima.
#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

namespace {

// The output's shape with the reduced dims kept as size 1 (so it broadcasts against x).
Shape kept_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape kept = shape;
  const int64_t nd = int64_t(shape.size());
  if (dims.empty()) return Shape(nd, 1);
  for (int64_t d : dims) kept[normalize_dim("sum", d, nd)] = 1;
  return kept;
}

int64_t reduced_count(const Shape& shape, const Shape& kept) {
  return numel_of(shape) / std::max<int64_t>(numel_of(kept), 1);
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernel::reduce(ReduceOp::sum, x, dims, keepdim);
  return record(Op::sum, out, {x}, [shape = x.shape(), dims](const Tensor& g, const NeedsGrad&) {
    return Grads{expand(reshape(g, kept_shape(shape, dims)), shape)};
  });
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor total = kernel::reduce(ReduceOp::sum, x, dims, keepdim);
  const int64_t count = reduced_count(x.shape(), kept_shape(x.shape(), dims));
  Tensor out = kernel::unary(UnaryOp::mul_scalar, total, 1.0 / double(count));
  return record(Op::mean, out, {x},
                [shape = x.shape(), dims, count](const Tensor& g, const NeedsGrad&) {
                  Tensor spread = expand(reshape(g, kept_shape(shape, dims)), shape);
                  return Grads{mul_scalar(spread, 1.0 / double(count))};
                });
}

Tensor max(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernel::reduce(ReduceOp::max, x, dims, keepdim);
  return record(Op::max, out, {x}, [x, out, dims](const Tensor& g, const NeedsGrad&) {
    const Shape kept = kept_shape(x.shape(), dims);
    Tensor is_max = to(compare(CompareOp::eq, x, reshape(out, kept)), x.dtype());
    Tensor ties = sum(is_max, dims, true);
    Tensor share = div(reshape(g, kept), ties);
    return Grads{mul(is_max, share)};
  });
}

// (t_1 + ... + t_n) / n: each input's gradient is g / n. The composite stacks the inputs
// and averages over the new dim; on the CPU with fused kernels it is one pass.
Tensor mean_of(const std::vector<Tensor>& tensors) {
  DN_CHECK(!tensors.empty(), "mean_of: no tensors given");
  if (tensors.size() == 1) return tensors[0];
  return fused_or_composite(
      {FusedKernel::mean_of}, tensors[0],
      [&] {
        const double inv = 1.0 / double(tensors.size());
        return record(Op::mean_of, kernel::fused_mean_of(tensors), tensors,
                      [n = tensors.size(), inv](const Tensor& g, const NeedsGrad&) {
                        return Grads(n, mul_scalar(g, inv));
                      });
      },
      [&] { return mean(stack(tensors, 0), {0}); });
}

}  // namespace dn
