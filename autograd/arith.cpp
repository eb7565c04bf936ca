// Arithmetic and its gradients. Broadcasting is handled by the engine: a backward may
// return a gradient of the broadcast shape, and the engine sums it back to the input's.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

Tensor add(const Tensor& a, const Tensor& b) {
  return record(Op::add, kernel::binary(BinaryOp::add, a, b), {a, b},
                [](const Tensor& g, const NeedsGrad&) { return Grads{g, g}; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return record(Op::sub, kernel::binary(BinaryOp::sub, a, b), {a, b},
                [](const Tensor& g, const NeedsGrad& needs) {
                  return Grads{g, needs[1] ? neg(g) : Tensor()};
                });
}

// d(a·b)/da = b, d(a·b)/db = a
Tensor mul(const Tensor& a, const Tensor& b) {
  return record(Op::mul, kernel::binary(BinaryOp::mul, a, b), {a, b},
                [a, b](const Tensor& g, const NeedsGrad& needs) {
                  return Grads{needs[0] ? mul(g, b) : Tensor(), needs[1] ? mul(g, a) : Tensor()};
                });
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -(a/b)/b
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = kernel::binary(BinaryOp::div, a, b);
  return record(Op::div, out, {a, b}, [out, b](const Tensor& g, const NeedsGrad& needs) {
    Tensor g_over_b = div(g, b);
    return Grads{needs[0] ? g_over_b : Tensor(), needs[1] ? neg(mul(g_over_b, out)) : Tensor()};
  });
}

Tensor add_scalar(const Tensor& a, double s) {
  return record(Op::add_scalar, kernel::unary(UnaryOp::add_scalar, a, s), {a},
                [](const Tensor& g, const NeedsGrad&) { return Grads{g}; });
}

Tensor mul_scalar(const Tensor& a, double s) {
  return record(Op::mul_scalar, kernel::unary(UnaryOp::mul_scalar, a, s), {a},
                [s](const Tensor& g, const NeedsGrad&) { return Grads{mul_scalar(g, s)}; });
}

Tensor neg(const Tensor& a) {
  return record(Op::neg, kernel::unary(UnaryOp::neg, a), {a},
                [](const Tensor& g, const NeedsGrad&) { return Grads{neg(g)}; });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double s) { return add_scalar(a, s); }
Tensor operator-(const Tensor& a, double s) { return add_scalar(a, -s); }
Tensor operator*(const Tensor& a, double s) { return mul_scalar(a, s); }
Tensor operator*(double s, const Tensor& a) { return mul_scalar(a, s); }
Tensor operator/(const Tensor& a, double s) { return mul_scalar(a, 1.0 / s); }
Tensor operator-(double s, const Tensor& a) { return add_scalar(neg(a), s); }
Tensor operator-(const Tensor& a) { return neg(a); }

}  // namespace dn
