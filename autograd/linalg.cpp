// Matrix products. For C = A·B with upstream gradient G = dL/dC:
//   dL/dA = G·Bᵀ      dL/dB = Aᵀ·G
// Transposes are views (no copies); the kernels read them in place.
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

namespace {
Tensor mT(const Tensor& x) { return kernel::transpose(x, -1, -2); }

// Aᵀ·G summed over all leading (batch) dims of A and G: one product of the flattened rows,
// [rows, k]ᵀ · [rows, n] -> [k, n]. Used when B was a plain matrix shared by every batch.
Tensor flat_t_matmul(const Tensor& a, const Tensor& g) {
  Tensor a2 = kernel::reshape(a, {-1, a.size(-1)});
  Tensor g2 = kernel::reshape(g, {-1, g.size(-1)});
  return kernel::matmul(mT(a2), g2);
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  return record(Op::matmul, kernel::matmul(a, b), {a, b},
                [a, b](const Tensor& g, const NeedsGrad& needs) {
                  Tensor ga, gb;
                  if (needs[0]) ga = kernel::matmul(g, mT(b));
                  if (needs[1]) gb = b.dim() == 2 ? flat_t_matmul(a, g) : kernel::matmul(mT(a), g);
                  return Grads{ga, gb};
                });
}

// y = x·Wᵀ + b.  dx = G·W,  dW = Gᵀ·x (rows of every batch together),  db = Σ_rows G.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  DN_CHECK(weight.defined() && weight.dim() == 2, "linear: weight must be [out, in], got ",
           weight.describe());
  DN_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input ",
           x.describe(), " does not fit weight ", weight.describe());
  Tensor out = kernel::matmul(x, mT(weight));
  if (bias.defined()) {
    DN_CHECK(bias.shape() == Shape{weight.size(0)}, "linear: bias ", bias.describe(),
             " does not fit weight ", weight.describe());
    out = kernel::binary(BinaryOp::add, out, bias);
  }
  return record(Op::linear, out, {x, weight, bias},
                [x, weight, has_bias = bias.defined()](const Tensor& g, const NeedsGrad& needs) {
                  Tensor gx, gw, gb;
                  if (needs[0]) gx = kernel::matmul(g, weight);
                  if (needs[1]) gw = flat_t_matmul(g, x);
                  if (has_bias && needs[2]) gb = kernel::sum_to_shape(g, {weight.size(0)});
                  return Grads{gx, gw, gb};
                });
}

}  // namespace dn
