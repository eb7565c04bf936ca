// softmax, layer_norm, dropout and cosine_similarity, each with its backward derived.
#include <cmath>

#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

// y = softmax(x): y_i = e^{x_i} / Σ_j e^{x_j}.  dy_i/dx_j = y_i (δ_ij - y_j), so
//   dx = y ⊙ (g - Σ_j g_j y_j)
Tensor softmax(const Tensor& x, int64_t dim) {
  Tensor y = kernel::softmax(x, dim);
  return record(Op::softmax, y, {x}, [y, dim](const Tensor& g, const NeedsGrad&) {
    Tensor dot = sum(mul(g, y), {dim}, true);
    return Grads{mul(y, sub(g, dot))};
  });
}

// Over the last dim of size D, per row:  x̂ = (x - μ)·r with r = 1/sqrt(var + eps),
// y = x̂ ⊙ w + b. With ĝ = g ⊙ w (the gradient reaching x̂), the backward is
//   dx = r · (ĝ - mean(ĝ) - x̂ ⊙ mean(ĝ ⊙ x̂))        (means over the D elements)
//   dw = Σ_rows g ⊙ x̂,   db = Σ_rows g.
// Only x, μ and r are kept; x̂ is recomputed. With fused kernels the whole backward is one
// pass (tensor/cpu/layer_norm_backward.cpp); layer_norm_backward below is the composite.
namespace {

Grads layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                          const Tensor& weight, const NeedsGrad& needs) {
  const int64_t d = x.size(-1);
  Tensor mu = unsqueeze(mean, -1), rs = unsqueeze(rstd, -1);
  Tensor xhat = mul(sub(x, mu), rs);
  Tensor gx, gw, gb;
  if (needs[0]) {
    Tensor ghat = weight.defined() ? mul(g, weight) : g;
    Tensor m1 = mul_scalar(sum(ghat, {-1}, true), 1.0 / d);
    Tensor m2 = mul_scalar(sum(mul(ghat, xhat), {-1}, true), 1.0 / d);
    gx = mul(rs, sub(sub(ghat, m1), mul(xhat, m2)));
  }
  if (weight.defined() && needs[1]) gw = kernel::sum_to_shape(mul(g, xhat), {d});
  if (needs.size() > 2 && needs[2]) gb = kernel::sum_to_shape(g, {d});
  return Grads{gx, gw, gb};
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  kernel::LayerNormResult r = kernel::layer_norm(x, weight, bias, eps);
  return record(Op::layer_norm, r.out, {x, weight, bias},
                [x, weight, mean = r.mean, rstd = r.rstd](const Tensor& g, const NeedsGrad& needs) {
                  return fused_or_composite(
                      {FusedKernel::layer_norm_backward}, x,
                      [&] {
                        kernel::LayerNormGrads f = kernel::fused_layer_norm_backward(
                            g, x, mean, rstd, weight, needs[0], weight.defined() && needs[1],
                            needs.size() > 2 && needs[2]);
                        return Grads{f.x, f.weight, f.bias};
                      },
                      [&] { return layer_norm_backward(g, x, mean, rstd, weight, needs); });
                });
}

// out = x ⊙ m with m = 1/(1-p) where a uniform draw is below 1-p, else 0.  dx = g ⊙ m.
// On the CPU with fused kernels: one pass that keeps the mask as bytes (the same draws).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  DN_CHECK(p >= 0 && p <= 1, "dropout: probability ", p, " is not in [0, 1]");
  if (!training || p == 0) return x;
  return fused_or_composite(
      {FusedKernel::dropout, FusedKernel::dropout_backward}, x,
      [&] {
        kernel::DropoutResult r = kernel::fused_dropout(x, p, gen);
        return record(Op::dropout, r.out, {x},
                      [keep = r.keep, p](const Tensor& g, const NeedsGrad&) {
                        return Grads{kernel::fused_dropout_backward(g, keep, p)};
                      });
      },
      [&] {
        Tensor draw = kernel::uniform(x.shape(), 0.0, 1.0, gen, x.dtype(), x.device());
        Tensor keep = kernel::to(kernel::compare_scalar(CompareOp::lt, draw, 1.0 - p), x.dtype());
        Tensor mask = p == 1 ? keep : kernel::unary(UnaryOp::mul_scalar, keep, 1.0 / (1.0 - p));
        return record(Op::dropout, kernel::binary(BinaryOp::mul, x, mask), {x},
                      [mask](const Tensor& g, const NeedsGrad&) { return Grads{mul(g, mask)}; });
      });
}

// c = Σ_d â_d b̂_d with â = a / n_a, n_a = sqrt(max(Σ a², eps²)) (likewise b): PyTorch 1.13.
// Where the norm is not clamped, n_a depends on a and
//   dc/da = (b̂ - c·â) / n_a
// where it is clamped (n_a = eps, a constant), dc/da = b̂ / n_a. Symmetrically for b.
Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim, double eps) {
  DN_CHECK(a.defined() && b.defined(), "cosine_similarity: undefined input");
  const Shape shape = broadcast_shapes("cosine_similarity", a.shape(), b.shape());
  const int64_t d = normalize_dim("cosine_similarity", dim, int64_t(shape.size()));
  auto norm = [&](const Tensor& t) {
    Tensor sq = kernel::reduce(ReduceOp::sum, kernel::binary(BinaryOp::mul, t, t), {d}, true);
    return kernel::unary(UnaryOp::sqrt, kernel::unary(UnaryOp::clamp_min, sq, eps * eps));
  };
  Tensor ae = kernel::expand(a, shape), be = kernel::expand(b, shape);
  Tensor na = norm(ae), nb = norm(be);
  Tensor ahat = kernel::binary(BinaryOp::div, ae, na), bhat = kernel::binary(BinaryOp::div, be, nb);
  Tensor c = kernel::reduce(ReduceOp::sum, kernel::binary(BinaryOp::mul, ahat, bhat), {d}, false);
  return record(Op::cosine_similarity, c, {a, b},
                [ahat, bhat, na, nb, c, d, eps](const Tensor& g, const NeedsGrad& needs) {
                  Tensor gk = unsqueeze(g, d), ck = unsqueeze(c, d);
                  auto one_side = [&](const Tensor& self_hat, const Tensor& other_hat, const Tensor& n) {
                    // c·x̂ only where the norm was not clamped
                    Tensor free = to(compare(CompareOp::gt, n, eps), n.dtype());
                    Tensor along = mul(mul(ck, free), self_hat);
                    return div(mul(gk, sub(other_hat, along)), n);
                  };
                  return Grads{needs[0] ? one_side(ahat, bhat, na) : Tensor(),
                               needs[1] ? one_side(bhat, ahat, nb) : Tensor()};
                });
}

}  // namespace dn
