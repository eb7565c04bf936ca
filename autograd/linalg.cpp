// Matrix products. For C = A·B with upstream gradient G = dL/dC:
//   dL/dA = G·Bᵀ      dL/dB = Aᵀ·G
// Transposes are views (no copies); the kernels read them in place.
#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

namespace {
Tensor mT(const Tensor& x) { return kernel::transpose(x, -1, -2); }

// a [..., k] · b [k, n] for the Linear layers: float32, or bfloat16 inputs (AMX or
// AVX512-BF16) when that option is on here (kernel::cpu_matmul_bf16, tensor/cpu/matmul_bf16.h).
Tensor linear_product(const Tensor& a, const Tensor& b) {
  if (kernel::cpu_matmul_bf16() && a.device().is_cpu() && a.dtype() == DType::f32 && b.dim() == 2)
    return kernel::matmul_bf16(a, b);
  return kernel::matmul(a, b);
}

// Aᵀ·G summed over all leading (batch) dims of A and G: one product of the flattened rows,
// [rows, k]ᵀ · [rows, n] -> [k, n]. Used when B was a plain matrix shared by every batch.
Tensor flat_t_matmul(const Tensor& a, const Tensor& g, bool linear_layer = false) {
  Tensor a2 = kernel::reshape(a, {-1, a.size(-1)});
  Tensor g2 = kernel::reshape(g, {-1, g.size(-1)});
  return linear_layer ? linear_product(mT(a2), g2) : kernel::matmul(mT(a2), g2);
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

namespace {

void check_linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  DN_CHECK(weight.defined() && weight.dim() == 2, "linear: weight must be [out, in], got ",
           weight.describe());
  DN_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input ",
           x.describe(), " does not fit weight ", weight.describe());
  DN_CHECK(!bias.defined() || bias.shape() == Shape{weight.size(0)}, "linear: bias ",
           bias.describe(), " does not fit weight ", weight.describe());
}

// The linear backward from the gradient g of x·Wᵀ + b.
Grads linear_grads(const Tensor& g, const Tensor& x, const Tensor& weight, bool has_bias,
                   const NeedsGrad& needs) {
  Tensor gx, gw, gb;
  if (needs[0]) gx = linear_product(g, weight);
  if (needs[1]) gw = flat_t_matmul(g, x, /*linear_layer=*/true);
  if (has_bias && needs[2]) gb = kernel::sum_to_shape(g, {weight.size(0)});
  return Grads{gx, gw, gb};
}

}  // namespace

// y = x·Wᵀ + b.  dx = G·W,  dW = Gᵀ·x (rows of every batch together),  db = Σ_rows G.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_linear(x, weight, bias);
  Tensor out = linear_product(x, mT(weight));
  if (bias.defined()) {
    out = fused_or_composite(
        {FusedKernel::add_bias}, out,
        [&] {
          kernel::fused_add_bias_(out, bias);  // in place on the fresh product: one pass
          return out;
        },
        [&] { return kernel::binary(BinaryOp::add, out, bias); });
  }
  return record(Op::linear, out, {x, weight, bias},
                [x, weight, has_bias = bias.defined()](const Tensor& g, const NeedsGrad& needs) {
                  return linear_grads(g, x, weight, has_bias, needs);
                });
}

// y = gelu(h), h = x·Wᵀ + b: the first layer of an MLP. The composite is gelu(linear(...));
// fused, the bias and the GELU are applied to the product row by row, h is kept for the
// backward (or, when no gradient is recorded, overwritten by y), and the backward forms
// dh = G ⊙ gelu'(h) in one pass before the linear backward.
Tensor linear_gelu(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_linear(x, weight, bias);
  Tensor h = linear_product(x, mT(weight));
  return fused_or_composite(
      {FusedKernel::bias_gelu, FusedKernel::gelu_backward}, h,
      [&] {
        const bool record_graph = any_requires_grad({x, weight, bias});
        Tensor y = kernel::fused_bias_gelu_(h, bias, /*in_place=*/!record_graph);
        return record(Op::linear_gelu, y, {x, weight, bias},
                      [x, weight, h, has_bias = bias.defined()](const Tensor& g,
                                                                const NeedsGrad& needs) {
                        return linear_grads(kernel::fused_gelu_backward(g, h), x, weight,
                                            has_bias, needs);
                      });
      },
      [&] { return gelu(linear(x, weight, bias)); });
}

}  // namespace dn
