// Elementwise functions and their derivatives (chain rule: grad_in = grad_out · f'(x)).
// The backward closures (run under no-grad) are written with these same autograd ops; the
// derivative factors that are no differentiable op themselves (sign for abs, elu's and
// gelu's f') are computed by their kernel, kernel::unary(UnaryOp::..._grad_factor).
#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

// d exp(x) = exp(x): reuse the output.
Tensor exp(const Tensor& x) {
  Tensor out = kernel::unary(UnaryOp::exp, x);
  return record(Op::exp, out, {x},
                [out](const Tensor& g, const NeedsGrad&) { return Grads{mul(g, out)}; });
}

// d log(x) = 1/x
Tensor log(const Tensor& x) {
  return record(Op::log, kernel::unary(UnaryOp::log, x), {x},
                [x](const Tensor& g, const NeedsGrad&) { return Grads{div(g, x)}; });
}

// d sqrt(x) = 1 / (2 sqrt(x))
Tensor sqrt(const Tensor& x) {
  Tensor out = kernel::unary(UnaryOp::sqrt, x);
  return record(Op::sqrt, out, {x}, [out](const Tensor& g, const NeedsGrad&) {
    return Grads{mul_scalar(div(g, out), 0.5)};
  });
}

// d x^p = p x^(p-1)
Tensor pow(const Tensor& x, double p) {
  return record(Op::pow, kernel::unary(UnaryOp::pow_scalar, x, p), {x},
                [x, p](const Tensor& g, const NeedsGrad&) {
                  return Grads{mul(g, mul_scalar(pow(x, p - 1), p))};
                });
}

// d |x| = sign(x) (0 at 0, as PyTorch)
Tensor abs(const Tensor& x) {
  return record(Op::abs, kernel::unary(UnaryOp::abs, x), {x},
                [x](const Tensor& g, const NeedsGrad&) {
                  return Grads{mul(g, kernel::unary(UnaryOp::sign, x))};
                });
}

// elu(x) = x for x > 0, alpha·(exp(x) - 1) otherwise; its derivative is 1 or alpha·exp(x).
Tensor elu(const Tensor& x, double alpha) {
  return record(Op::elu, kernel::unary(UnaryOp::elu, x, alpha), {x},
                [x, alpha](const Tensor& g, const NeedsGrad&) {
                  return Grads{mul(g, kernel::unary(UnaryOp::elu_grad_factor, x, alpha))};
                });
}

// gelu(x) = x·Φ(x) with Φ the standard normal CDF; d gelu = Φ(x) + x·φ(x).
// (On the CPU with fused kernels, g ⊙ gelu'(x) is one pass instead of two.)
Tensor gelu(const Tensor& x) {
  return record(Op::gelu, kernel::unary(UnaryOp::gelu, x), {x},
                [x](const Tensor& g, const NeedsGrad&) {
                  return fused_or_composite(
                      {FusedKernel::gelu_backward}, x,
                      [&] { return Grads{kernel::fused_gelu_backward(g, x)}; },
                      [&] { return Grads{mul(g, kernel::unary(UnaryOp::gelu_grad_factor, x))}; });
                });
}

// The gradient passes where x >= min (PyTorch's convention at the kink).
Tensor clamp_min(const Tensor& x, double min) {
  return record(Op::clamp_min, kernel::unary(UnaryOp::clamp_min, x, min), {x},
                [x, min](const Tensor& g, const NeedsGrad&) {
                  Tensor pass = compare(CompareOp::ge, x, min);
                  return Grads{mul(g, to(pass, g.dtype()))};
                });
}

}  // namespace dn
