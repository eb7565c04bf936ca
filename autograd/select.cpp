// Selection: where, masked scaling, comparisons and topk.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

// out = cond ? a : b. The gradient goes to a where cond holds and to b elsewhere.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  return record(Op::where, kernel::where(cond, a, b), {a, b},
                [cond](const Tensor& g, const NeedsGrad& needs) {
                  Tensor zero = zeros({}, g.dtype(), g.device());
                  return Grads{needs[0] ? where(cond, g, zero) : Tensor(),
                               needs[1] ? where(cond, zero, g) : Tensor()};
                });
}

// out = mask ? x·factor : x, so dx = mask ? g·factor : g. One kernel-level helper serves the
// forward (which must not record its parts) and the backward.
Tensor masked_scale(const Tensor& x, const Tensor& mask, double factor) {
  auto scale = [&mask, factor](const Tensor& t) {
    return kernel::where(mask, kernel::unary(UnaryOp::mul_scalar, t, factor), t);
  };
  return record(Op::masked_scale, scale(x), {x}, [scale](const Tensor& g, const NeedsGrad&) {
    return Grads{scale(g)};
  });
}

Tensor compare(CompareOp op, const Tensor& a, const Tensor& b) { return kernel::compare(op, a, b); }
Tensor compare(CompareOp op, const Tensor& a, double b) { return kernel::compare_scalar(op, a, b); }

kernel::TopK topk(const Tensor& x, int64_t k, int64_t dim, bool largest) {
  check_no_grad(Op::topk, {x});
  return kernel::topk(x, k, dim, largest);
}

double kth_largest(const Tensor& x, int64_t k) {
  check_no_grad(Op::topk, {x});
  DN_CHECK(k >= 1 && k <= x.numel(), "kth_largest: k = ", k, " out of range for ", x.numel(),
           " elements");
  kernel::TopK t = kernel::topk(kernel::reshape(x, {-1}), k, 0, true);
  return kernel::narrow(t.values, 0, k - 1, 1).item();
}

}  // namespace dn
