// The differentiable ops: what models are written with. Each one computes its result with
// the op API of tensor/ops.h and, when an input requires grad, records a node whose
// backward is written right beside it in autograd/<family>.cpp.
#pragma once
#include <array>
#include <optional>
#include <vector>

#include "autograd/autograd.h"
#include "tensor/op_kinds.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace dn {

// --- arithmetic (arith.cpp); binary ops broadcast like NumPy ------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add_scalar(const Tensor& a, double s);
Tensor mul_scalar(const Tensor& a, double s);
Tensor neg(const Tensor& a);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double s);
Tensor operator-(const Tensor& a, double s);
Tensor operator*(const Tensor& a, double s);
Tensor operator*(double s, const Tensor& a);
Tensor operator/(const Tensor& a, double s);
Tensor operator-(double s, const Tensor& a);
Tensor operator-(const Tensor& a);

// --- elementwise functions (unary.cpp) ----------------------------------------------------
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor abs(const Tensor& x);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x);  // exact: x·Φ(x), as nn.GELU()
Tensor clamp_min(const Tensor& x, double min);

// --- reductions (reduce.cpp); empty dims = all dims ---------------------------------------
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// The mean of equally shaped tensors, element by element (= mean(stack(tensors, 0), {0})).
Tensor mean_of(const std::vector<Tensor>& tensors);
// The largest value (amax); the gradient is shared equally among tied maxima.
Tensor max(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);

// --- matrix products (linalg.cpp) ---------------------------------------------------------
Tensor matmul(const Tensor& a, const Tensor& b);
// x·Wᵀ + b with W [out, in] as in PyTorch; bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
// gelu(linear(x, weight, bias)), with the bias and GELU fused into one pass on the CPU.
Tensor linear_gelu(const Tensor& x, const Tensor& weight, const Tensor& bias);

// --- normalisation and regularisation (nn_ops.cpp) ----------------------------------------
Tensor softmax(const Tensor& x, int64_t dim);
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);
// Zeroes each element with probability p and scales the survivors by 1/(1-p), in training;
// the identity otherwise. The mask comes from `gen`'s Philox stream.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
// As torch.nn.functional.cosine_similarity (1.13): sum(a/max(|a|,eps) * b/max(|b|,eps)).
Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim = 1, double eps = 1e-8);

// --- multi-head attention (attention.cpp) -------------------------------------------------
// On the packed output of the qkv Linear: qkv [B, N, 3D] (q, k, v side by side, each split
// into `heads` heads of dh = D/heads) -> [B, N, D], the heads side by side again.
//   linear:  φ(q)·(φ(k)ᵀv) / (φ(q)·Σφ(k) + eps), φ = elu + 1 (Dinomaly's LinearAttention2)
//   softmax: softmax((q/√dh)·kᵀ)·v (the DINOv2 encoder)
// One fused node on the CPU (autograd/fused.h), the composite below elsewhere.
Tensor linear_attention(const Tensor& qkv, int64_t heads, double eps = 0.0);
Tensor softmax_attention(const Tensor& qkv, int64_t heads);
// The composite forms, on heads q, k, v [..., N, dh] -> [..., N, dh].
Tensor linear_attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, double eps = 0.0);
Tensor softmax_attention_heads(const Tensor& q, const Tensor& k, const Tensor& v);
// qkv [B, N, 3D] -> q, k, v [B, H, N, dh] (views)
std::array<Tensor, 3> split_heads(const Tensor& qkv, int64_t heads);

// --- shapes and copies (shape.cpp) --------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);  // a view when possible
Tensor view(const Tensor& x, const Shape& shape);     // always a view (throws otherwise)
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor contiguous(const Tensor& x);
Tensor to(const Tensor& x, DType dtype);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);

// --- selection (select.cpp) ---------------------------------------------------------------
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// x scaled by `factor` where mask is true, unchanged elsewhere.
Tensor masked_scale(const Tensor& x, const Tensor& mask, double factor);
Tensor compare(CompareOp op, const Tensor& a, const Tensor& b);  // bool, no gradient
Tensor compare(CompareOp op, const Tensor& a, double b);
// The k largest values along dim, sorted (no gradient).
kernel::TopK topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true);
// The k-th largest of all elements (k = 1 is the maximum), as a double (no gradient).
double kth_largest(const Tensor& x, int64_t k);

// --- resampling and convolution (resample.cpp, conv.cpp) ----------------------------------
struct InterpolateOptions {
  ResampleMode mode = ResampleMode::bilinear;
  int64_t out_h = 0, out_w = 0;   // output size; or give scale factors
  std::optional<double> scale_h, scale_w;  // as F.interpolate(scale_factor=...)
  bool align_corners = false;
};
// x: [N, C, H, W]. With scale factors the output size is floor(in·scale) and the scale sets
// the coordinate step, as in PyTorch (recompute_scale_factor unset).
Tensor interpolate(const Tensor& x, const InterpolateOptions& options);
// x [N, C, H, W], weight [O, C, kh, kw], bias [O] or undefined.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride = 1,
              int64_t padding = 0);

}  // namespace dn
