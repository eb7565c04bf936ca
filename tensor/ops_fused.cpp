// The fused kernels' op API: shape checks, outputs, and the backend's kernel
// (tensor/backend.def, DN_FUSED_KERNEL), on the backends that have it (has_fused).
#include <cmath>

#include "tensor/ops_common.h"

namespace dn::kernel {

bool has_fused(FusedKernel kernel, Device device, DType dtype) {
  return DN_RUN_KERNEL(device, has_fused, kernel, dtype);
}

namespace {

// t's backend must have `kernel` for t's dtype (checked after the dtype itself).
void check_fused(FusedKernel kernel, const Tensor& t) {
  DN_CHECK(has_fused(kernel, t.device(), t.dtype()), fused_kernel_name(kernel),
           ": no fused kernel on ", t.device().str(), " for ", dtype_name(t.dtype()),
           " (the autograd ops run their composite there)");
}

// qkv [B, N, 3D] with D divisible by heads; returns D.
int64_t check_qkv(FusedKernel kernel, const Tensor& qkv, int64_t heads) {
  const char* op = fused_kernel_name(kernel);
  check_defined(op, qkv);
  check_math_dtype(op, qkv);
  check_fused(kernel, qkv);
  DN_CHECK(qkv.dim() == 3 && qkv.size(2) % 3 == 0, op, ": qkv must be [B, N, 3D], got ",
           qkv.describe());
  const int64_t d = qkv.size(2) / 3;
  DN_CHECK(heads > 0 && d % heads == 0, op, ": width ", d, " is not divisible by ", heads, " heads");
  return d;
}

void check_grad_out(const char* op, const Tensor& grad_out, const Tensor& qkv, int64_t d) {
  check_defined(op, grad_out);
  check_same_dtype(op, grad_out, qkv);
  check_same_device(op, grad_out, qkv);
  DN_CHECK(grad_out.shape() == Shape({qkv.size(0), qkv.size(1), d}), op, ": gradient ",
           grad_out.describe(), " does not fit qkv ", qkv.describe());
}

}  // namespace

Tensor fused_linear_attention(const Tensor& qkv_in, int64_t heads, double eps) {
  const int64_t d = check_qkv(FusedKernel::linear_attention, qkv_in, heads);
  Tensor qkv = contiguous(qkv_in);
  Tensor out = empty({qkv.size(0), qkv.size(1), d}, qkv.dtype(), qkv.device());
  if (out.numel() > 0) DN_RUN_KERNEL(qkv.device(), linear_attention, out, qkv, heads, eps);
  return out;
}

Tensor fused_linear_attention_backward(const Tensor& grad_out, const Tensor& qkv_in, int64_t heads,
                                       double eps) {
  const int64_t d = check_qkv(FusedKernel::linear_attention_backward, qkv_in, heads);
  check_grad_out("linear_attention_backward", grad_out, qkv_in, d);
  Tensor qkv = contiguous(qkv_in);
  Tensor grad_qkv = empty(qkv.shape(), qkv.dtype(), qkv.device());
  if (grad_qkv.numel() > 0)
    DN_RUN_KERNEL(qkv.device(), linear_attention_backward, grad_qkv, contiguous(grad_out), qkv,
                  heads, eps);
  return grad_qkv;
}

Tensor fused_softmax_attention(const Tensor& qkv_in, int64_t heads) {
  const int64_t d = check_qkv(FusedKernel::softmax_attention, qkv_in, heads);
  Tensor qkv = contiguous(qkv_in);
  Tensor out = empty({qkv.size(0), qkv.size(1), d}, qkv.dtype(), qkv.device());
  if (out.numel() > 0)
    DN_RUN_KERNEL(qkv.device(), softmax_attention, out, qkv, heads,
                  1.0 / std::sqrt(double(d / heads)));
  return out;
}

Tensor fused_softmax_attention_backward(const Tensor& grad_out, const Tensor& qkv_in, int64_t heads) {
  const int64_t d = check_qkv(FusedKernel::softmax_attention_backward, qkv_in, heads);
  check_grad_out("softmax_attention_backward", grad_out, qkv_in, d);
  Tensor qkv = contiguous(qkv_in);
  Tensor grad_qkv = empty(qkv.shape(), qkv.dtype(), qkv.device());
  if (grad_qkv.numel() > 0)
    DN_RUN_KERNEL(qkv.device(), softmax_attention_backward, grad_qkv, contiguous(grad_out), qkv,
                  heads, 1.0 / std::sqrt(double(d / heads)));
  return grad_qkv;
}

namespace {

void check_epilogue(FusedKernel kernel, const Tensor& out, const Tensor& bias) {
  const char* op = fused_kernel_name(kernel);
  check_defined(op, out);
  check_math_dtype(op, out);
  check_fused(kernel, out);
  DN_CHECK(out.is_contiguous(), op, ": the product must be contiguous, got ", out.describe());
  if (!bias.defined()) return;
  check_same_dtype(op, out, bias);
  check_same_device(op, out, bias);
  DN_CHECK(out.dim() >= 1 && bias.shape() == Shape{out.size(-1)}, op, ": bias ", bias.describe(),
           " does not fit ", out.describe());
}

}  // namespace

void fused_add_bias_(const Tensor& out, const Tensor& bias) {
  check_epilogue(FusedKernel::add_bias, out, bias);
  DN_CHECK(bias.defined(), "add_bias: no bias");
  if (out.numel() > 0) DN_RUN_KERNEL(out.device(), add_bias, out, contiguous(bias));
}

Tensor fused_bias_gelu_(const Tensor& out, const Tensor& bias, bool in_place) {
  check_epilogue(FusedKernel::bias_gelu, out, bias);
  Tensor y = in_place ? out : empty(out.shape(), out.dtype(), out.device());
  if (out.numel() > 0)
    DN_RUN_KERNEL(out.device(), bias_gelu, y, out, bias.defined() ? contiguous(bias) : bias);
  return y;
}

Tensor fused_gelu_backward(const Tensor& grad_y, const Tensor& x_in) {
  check_defined("gelu_backward", grad_y);
  check_defined("gelu_backward", x_in);
  check_same_device("gelu_backward", grad_y, x_in);
  check_same_dtype("gelu_backward", grad_y, x_in);
  check_math_dtype("gelu_backward", x_in);
  check_fused(FusedKernel::gelu_backward, x_in);
  DN_CHECK(grad_y.shape() == x_in.shape(), "gelu_backward: gradient ", grad_y.describe(),
           " does not fit ", x_in.describe());
  Tensor x = contiguous(x_in);
  Tensor grad_x = empty(x.shape(), x.dtype(), x.device());
  if (x.numel() > 0) DN_RUN_KERNEL(x.device(), gelu_backward, grad_x, contiguous(grad_y), x);
  return grad_x;
}

LayerNormGrads fused_layer_norm_backward(const Tensor& grad_out, const Tensor& x_in, const Tensor& mean,
                                         const Tensor& rstd, const Tensor& weight, bool want_x,
                                         bool want_weight, bool want_bias) {
  const char* op = "layer_norm_backward";
  for (const Tensor* t : {&grad_out, &x_in, &mean, &rstd}) {
    check_defined(op, *t);
    check_same_device(op, *t, x_in);
    check_same_dtype(op, *t, x_in);
  }
  check_math_dtype(op, x_in);
  check_fused(FusedKernel::layer_norm_backward, x_in);
  DN_CHECK(x_in.dim() >= 1 && grad_out.shape() == x_in.shape() && mean.numel() * x_in.size(-1) == x_in.numel() &&
               rstd.numel() == mean.numel(),
           op, ": gradient ", grad_out.describe(), ", input ", x_in.describe(), ", mean ",
           mean.describe(), " and rstd ", rstd.describe(), " do not fit together");
  const int64_t n = x_in.size(-1);
  if (weight.defined()) {
    check_same_dtype(op, weight, x_in);
    check_same_device(op, weight, x_in);
    DN_CHECK(weight.shape() == Shape{n}, op, ": weight ", weight.describe(), " does not fit ", x_in.describe());
  }
  Tensor x = contiguous(x_in);
  LayerNormGrads g;
  if (want_x) g.x = empty(x.shape(), x.dtype(), x.device());
  if (want_weight) g.weight = empty({n}, x.dtype(), x.device());
  if (want_bias) g.bias = empty({n}, x.dtype(), x.device());
  if (x.numel() == 0) {
    if (want_weight) fill_(g.weight, 0.0);
    if (want_bias) fill_(g.bias, 0.0);
    return g;
  }
  DN_RUN_KERNEL(x.device(), layer_norm_backward, g.x, g.weight, g.bias, contiguous(grad_out), x,
                contiguous(mean), contiguous(rstd), weight.defined() ? contiguous(weight) : weight);
  return g;
}

DropoutResult fused_dropout(const Tensor& x_in, double p, Generator& gen) {
  check_defined("dropout", x_in);
  check_math_dtype("dropout", x_in);
  check_fused(FusedKernel::dropout, x_in);
  DN_CHECK(p >= 0 && p <= 1, "dropout: probability ", p, " is not in [0, 1]");
  Tensor x = contiguous(x_in);
  DropoutResult r{empty(x.shape(), x.dtype(), x.device()), empty(x.shape(), DType::bool_, x.device())};
  const uint64_t first = gen.take_blocks(uint64_t(x.numel() + 3) / 4);  // as kernel::uniform
  if (x.numel() > 0) DN_RUN_KERNEL(x.device(), dropout, r.out, r.keep, x, p, gen.seed(), first);
  return r;
}

Tensor fused_dropout_backward(const Tensor& grad_out, const Tensor& keep, double p) {
  check_defined("dropout_backward", grad_out);
  check_math_dtype("dropout_backward", grad_out);
  check_fused(FusedKernel::dropout_backward, grad_out);
  check_same_device("dropout_backward", keep, grad_out);
  DN_CHECK(keep.dtype() == DType::bool_ && keep.shape() == grad_out.shape() && keep.is_contiguous(),
           "dropout_backward: mask ", keep.describe(), " does not fit the gradient ", grad_out.describe());
  Tensor grad_x = empty(grad_out.shape(), grad_out.dtype(), grad_out.device());
  if (grad_x.numel() > 0)
    DN_RUN_KERNEL(grad_x.device(), dropout_backward, grad_x, contiguous(grad_out), keep, p);
  return grad_x;
}

Tensor fused_mean_of(const std::vector<Tensor>& tensors) {
  DN_CHECK(!tensors.empty(), "mean_of: no tensors given");
  std::vector<Tensor> inputs;
  for (const Tensor& t : tensors) {
    check_defined("mean_of", t);
    check_same_device("mean_of", t, tensors[0]);
    check_same_dtype("mean_of", t, tensors[0]);
    check_math_dtype("mean_of", t);
    check_fused(FusedKernel::mean_of, t);
    DN_CHECK(t.shape() == tensors[0].shape(), "mean_of: shapes differ (", tensors[0].describe(),
             " and ", t.describe(), ")");
    inputs.push_back(contiguous(t));
  }
  Tensor out = empty(tensors[0].shape(), tensors[0].dtype(), tensors[0].device());
  if (out.numel() > 0) DN_RUN_KERNEL(out.device(), mean_of, out, inputs);
  return out;
}

}  // namespace dn::kernel
