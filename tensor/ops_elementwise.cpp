// Elementwise ops: unary, binary with broadcasting, comparisons, where.
#include "tensor/ops_common.h"

namespace dn::kernel {

Tensor unary(UnaryOp op, const Tensor& x, double param) {
  check_defined(unary_name(op), x);
  check_math_dtype(unary_name(op), x);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  DN_RUN_KERNEL(x.device(), unary, op, out, x, param);
  return out;
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  check_defined(name, a);
  check_defined(name, b);
  check_same_device(name, a, b);
  check_same_dtype(name, a, b);
  check_math_dtype(name, a);
  Shape shape = broadcast_shapes(name, a.shape(), b.shape());
  Tensor out = empty(shape, a.dtype(), a.device());
  DN_RUN_KERNEL(a.device(), binary, op, out, expand(a, shape), expand(b, shape));
  return out;
}

Tensor compare(CompareOp op, const Tensor& a, const Tensor& b) {
  const char* name = compare_name(op);
  check_defined(name, a);
  check_defined(name, b);
  check_same_device(name, a, b);
  check_same_dtype(name, a, b);
  Shape shape = broadcast_shapes(name, a.shape(), b.shape());
  Tensor out = empty(shape, DType::bool_, a.device());
  DN_RUN_KERNEL(a.device(), compare, op, out, expand(a, shape), expand(b, shape));
  return out;
}

Tensor compare_scalar(CompareOp op, const Tensor& a, double b) {
  check_defined(compare_name(op), a);
  return compare(op, a, full({}, b, a.dtype(), a.device()));
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_defined("where", cond);
  check_defined("where", a);
  check_defined("where", b);
  check_same_device("where", cond, a);
  check_same_device("where", a, b);
  check_same_dtype("where", a, b);
  DN_CHECK(cond.dtype() == DType::bool_, "where: condition must be bool, got ",
           dtype_name(cond.dtype()));
  Shape shape = broadcast_shapes("where", broadcast_shapes("where", cond.shape(), a.shape()), b.shape());
  Tensor out = empty(shape, a.dtype(), a.device());
  DN_RUN_KERNEL(a.device(), where, out, expand(cond, shape), expand(a, shape), expand(b, shape));
  return out;
}

}  // namespace dn::kernel
