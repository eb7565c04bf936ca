// softmax and layer_norm.
#include "tensor/ops_common.h"

namespace dn::kernel {

Tensor softmax(const Tensor& x, int64_t dim) {
  check_defined("softmax", x);
  check_math_dtype("softmax", x);
  const int64_t d = normalize_dim("softmax", dim, std::max<int64_t>(x.dim(), 1));
  if (x.dim() == 0) return full({}, 1.0, x.dtype(), x.device());
  Tensor moved = contiguous(move_dim_to_end(x, d));
  Tensor out = empty(moved.shape(), x.dtype(), x.device());
  if (out.numel() > 0) DN_RUN_KERNEL(x.device(), softmax, out, moved);
  return d == x.dim() - 1 ? out : contiguous(move_end_to_dim(out, d));
}

LayerNormResult layer_norm(const Tensor& x_in, const Tensor& weight, const Tensor& bias,
                           double eps) {
  check_defined("layer_norm", x_in);
  check_math_dtype("layer_norm", x_in);
  DN_CHECK(x_in.dim() >= 1, "layer_norm: input must have at least one dim");
  const int64_t n = x_in.size(-1);
  for (const Tensor* p : {&weight, &bias}) {
    if (!p->defined()) continue;
    DN_CHECK(p->shape() == Shape{n}, "layer_norm: weight/bias ", shape_str(p->shape()),
             " does not match the normalised size ", n, " of ", x_in.describe());
    check_same_dtype("layer_norm", x_in, *p);
    check_same_device("layer_norm", x_in, *p);
  }
  Tensor x = contiguous(x_in);
  Shape stat_shape(x.shape().begin(), x.shape().end() - 1);
  LayerNormResult r{empty(x.shape(), x.dtype(), x.device()), empty(stat_shape, x.dtype(), x.device()),
                    empty(stat_shape, x.dtype(), x.device())};
  if (x.numel() > 0)
    DN_RUN_KERNEL(x.device(), layer_norm, r.out, r.mean, r.rstd, x,
                  weight.defined() ? contiguous(weight) : weight,
                  bias.defined() ? contiguous(bias) : bias, eps);
  return r;
}

}  // namespace dn::kernel
