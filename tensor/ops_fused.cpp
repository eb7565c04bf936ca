// The fused kernels' op API: shape checks, outputs, and the CPU kernel (tensor/cpu/fused.h).
#include <cmath>

#include "tensor/cpu/fused.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops_common.h"

namespace dn::kernel {

namespace {

void check_cpu(const char* op, const Tensor& t) {
  DN_CHECK(t.device().is_cpu(), op, ": a CPU-only fused kernel, called with a tensor on ",
           t.device().str(), " (the autograd ops run their composite there)");
}

// qkv [B, N, 3D] with D divisible by heads; returns D.
int64_t check_qkv(const char* op, const Tensor& qkv, int64_t heads) {
  check_defined(op, qkv);
  check_cpu(op, qkv);
  check_math_dtype(op, qkv);
  DN_CHECK(qkv.dim() == 3 && qkv.size(2) % 3 == 0, op, ": qkv must be [B, N, 3D], got ",
           qkv.describe());
  const int64_t d = qkv.size(2) / 3;
  DN_CHECK(heads > 0 && d % heads == 0, op, ": width ", d, " is not divisible by ", heads, " heads");
  return d;
}

void check_grad_out(const char* op, const Tensor& grad_out, const Tensor& qkv, int64_t d) {
  check_defined(op, grad_out);
  check_same_dtype(op, grad_out, qkv);
  check_cpu(op, grad_out);
  DN_CHECK(grad_out.shape() == Shape({qkv.size(0), qkv.size(1), d}), op, ": gradient ",
           grad_out.describe(), " does not fit qkv ", qkv.describe());
}

}  // namespace

Tensor fused_linear_attention(const Tensor& qkv_in, int64_t heads, double eps) {
  const int64_t d = check_qkv("linear_attention", qkv_in, heads);
  Tensor qkv = contiguous(qkv_in);
  Tensor out = empty({qkv.size(0), qkv.size(1), d}, qkv.dtype(), qkv.device());
  if (out.numel() > 0) cpu::linear_attention(out, qkv, heads, eps);
  return out;
}

Tensor fused_linear_attention_backward(const Tensor& grad_out, const Tensor& qkv_in, int64_t heads,
                                       double eps) {
  const int64_t d = check_qkv("linear_attention_backward", qkv_in, heads);
  check_grad_out("linear_attention_backward", grad_out, qkv_in, d);
  Tensor qkv = contiguous(qkv_in);
  Tensor grad_qkv = empty(qkv.shape(), qkv.dtype(), qkv.device());
  if (grad_qkv.numel() > 0)
    cpu::linear_attention_backward(grad_qkv, contiguous(grad_out), qkv, heads, eps);
  return grad_qkv;
}

Tensor fused_softmax_attention(const Tensor& qkv_in, int64_t heads) {
  const int64_t d = check_qkv("softmax_attention", qkv_in, heads);
  Tensor qkv = contiguous(qkv_in);
  Tensor out = empty({qkv.size(0), qkv.size(1), d}, qkv.dtype(), qkv.device());
  if (out.numel() > 0) cpu::softmax_attention(out, qkv, heads, 1.0 / std::sqrt(double(d / heads)));
  return out;
}

Tensor fused_softmax_attention_backward(const Tensor& grad_out, const Tensor& qkv_in, int64_t heads) {
  const int64_t d = check_qkv("softmax_attention_backward", qkv_in, heads);
  check_grad_out("softmax_attention_backward", grad_out, qkv_in, d);
  Tensor qkv = contiguous(qkv_in);
  Tensor grad_qkv = empty(qkv.shape(), qkv.dtype(), qkv.device());
  if (grad_qkv.numel() > 0)
    cpu::softmax_attention_backward(grad_qkv, contiguous(grad_out), qkv, heads,
                                    1.0 / std::sqrt(double(d / heads)));
  return grad_qkv;
}

namespace {

void check_epilogue(const char* op, const Tensor& out, const Tensor& bias) {
  check_defined(op, out);
  check_cpu(op, out);
  check_math_dtype(op, out);
  DN_CHECK(out.is_contiguous(), op, ": the product must be contiguous, got ", out.describe());
  if (!bias.defined()) return;
  check_same_dtype(op, out, bias);
  check_cpu(op, bias);
  DN_CHECK(out.dim() >= 1 && bias.shape() == Shape{out.size(-1)}, op, ": bias ", bias.describe(),
           " does not fit ", out.describe());
}

}  // namespace

void fused_add_bias_(const Tensor& out, const Tensor& bias) {
  check_epilogue("add_bias", out, bias);
  DN_CHECK(bias.defined(), "add_bias: no bias");
  if (out.numel() > 0) cpu::add_bias(out, contiguous(bias));
}

Tensor fused_bias_gelu_(const Tensor& out, const Tensor& bias, bool in_place) {
  check_epilogue("bias_gelu", out, bias);
  Tensor y = in_place ? out : empty(out.shape(), out.dtype(), out.device());
  if (out.numel() > 0) cpu::bias_gelu(y, out, bias.defined() ? contiguous(bias) : bias);
  return y;
}

Tensor fused_gelu_backward(const Tensor& grad_y, const Tensor& x_in) {
  check_defined("gelu_backward", grad_y);
  check_defined("gelu_backward", x_in);
  check_cpu("gelu_backward", x_in);
  check_cpu("gelu_backward", grad_y);
  check_same_dtype("gelu_backward", grad_y, x_in);
  check_math_dtype("gelu_backward", x_in);
  DN_CHECK(grad_y.shape() == x_in.shape(), "gelu_backward: gradient ", grad_y.describe(),
           " does not fit ", x_in.describe());
  Tensor x = contiguous(x_in);
  Tensor grad_x = empty(x.shape(), x.dtype(), x.device());
  if (x.numel() > 0) cpu::gelu_backward(grad_x, contiguous(grad_y), x);
  return grad_x;
}

LayerNormGrads fused_layer_norm_backward(const Tensor& grad_out, const Tensor& x_in, const Tensor& mean,
                                         const Tensor& rstd, const Tensor& weight, bool want_x,
                                         bool want_weight, bool want_bias) {
  const char* op = "layer_norm_backward";
  for (const Tensor* t : {&grad_out, &x_in, &mean, &rstd}) {
    check_defined(op, *t);
    check_cpu(op, *t);
    check_same_dtype(op, *t, x_in);
  }
  check_math_dtype(op, x_in);
  DN_CHECK(x_in.dim() >= 1 && grad_out.shape() == x_in.shape() && mean.numel() * x_in.size(-1) == x_in.numel() &&
               rstd.numel() == mean.numel(),
           op, ": gradient ", grad_out.describe(), ", input ", x_in.describe(), ", mean ",
           mean.describe(), " and rstd ", rstd.describe(), " do not fit together");
  const int64_t n = x_in.size(-1);
  if (weight.defined()) {
    check_same_dtype(op, weight, x_in);
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
  cpu::layer_norm_backward(g.x, g.weight, g.bias, contiguous(grad_out), x, contiguous(mean),
                           contiguous(rstd), weight.defined() ? contiguous(weight) : weight);
  return g;
}

DropoutResult fused_dropout(const Tensor& x_in, double p, Generator& gen) {
  check_defined("dropout", x_in);
  check_cpu("dropout", x_in);
  check_math_dtype("dropout", x_in);
  DN_CHECK(p >= 0 && p <= 1, "dropout: probability ", p, " is not in [0, 1]");
  Tensor x = contiguous(x_in);
  DropoutResult r{empty(x.shape(), x.dtype(), x.device()), empty(x.shape(), DType::bool_, x.device())};
  const uint64_t first = gen.take_blocks(uint64_t(x.numel() + 3) / 4);  // as kernel::uniform
  if (x.numel() > 0) cpu::dropout(r.out, r.keep, x, p, gen.seed(), first);
  return r;
}

Tensor fused_dropout_backward(const Tensor& grad_out, const Tensor& keep, double p) {
  check_defined("dropout_backward", grad_out);
  check_cpu("dropout_backward", grad_out);
  check_math_dtype("dropout_backward", grad_out);
  DN_CHECK(keep.dtype() == DType::bool_ && keep.shape() == grad_out.shape() && keep.is_contiguous(),
           "dropout_backward: mask ", keep.describe(), " does not fit the gradient ", grad_out.describe());
  Tensor grad_x = empty(grad_out.shape(), grad_out.dtype(), grad_out.device());
  if (grad_x.numel() > 0) cpu::dropout_backward(grad_x, contiguous(grad_out), keep, p);
  return grad_x;
}

Tensor fused_mean_of(const std::vector<Tensor>& tensors) {
  DN_CHECK(!tensors.empty(), "mean_of: no tensors given");
  std::vector<Tensor> inputs;
  for (const Tensor& t : tensors) {
    check_defined("mean_of", t);
    check_cpu("mean_of", t);
    check_same_dtype("mean_of", t, tensors[0]);
    check_math_dtype("mean_of", t);
    DN_CHECK(t.shape() == tensors[0].shape(), "mean_of: shapes differ (", tensors[0].describe(),
             " and ", t.describe(), ")");
    inputs.push_back(contiguous(t));
  }
  Tensor out = empty(tensors[0].shape(), tensors[0].dtype(), tensors[0].device());
  if (out.numel() > 0) cpu::mean_of(out, inputs);
  return out;
}

bool cpu_matmul_bf16() { return cpu::matmul_precision() == cpu::MatmulPrecision::bf16; }

Tensor matmul_bf16(const Tensor& a, const Tensor& b_in) {
  for (const Tensor* t : {&a, &b_in}) {
    check_defined("matmul_bf16", *t);
    check_cpu("matmul_bf16", *t);
    DN_CHECK(t->dtype() == DType::f32, "matmul_bf16: float32 operands expected, got ", t->describe());
  }
  DN_CHECK(a.dim() >= 1 && b_in.dim() == 2 && a.size(-1) == b_in.size(0), "matmul_bf16: ",
           a.describe(), " x ", b_in.describe(), " is not [..., k] x [k, n]");
  const int64_t k = a.size(-1), n = b_in.size(1);
  const int64_t rows = numel_of(Shape(a.shape().begin(), a.shape().end() - 1));
  // Operands with a unit stride along one of their two dims are read in place.
  auto matrix = [](const Tensor& x) {
    return x.stride(0) == 1 || x.stride(1) == 1 ? x : contiguous(x);
  };
  Tensor a2 = matrix(can_view(a, {rows, k}) ? view(a, {rows, k}) : view(contiguous(a), {rows, k}));
  Tensor b = matrix(b_in);
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  out_shape.push_back(n);
  Tensor out = empty(out_shape, DType::f32, a.device());
  if (out.numel() > 0) cpu::matmul_bf16(view(out, {rows, n}), a2, b);
  return out;
}

}  // namespace dn::kernel
