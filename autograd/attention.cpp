// Multi-head attention as differentiable ops, in two forms:
//   * composite, on [..., N, dh] heads: matmul, softmax, elu, sum and div, each recording its
//     own node (the formulas as the reference writes them; runs on every device);
//   * fused, on the packed qkv [B, N, 3D] of the qkv Linear: one node whose forward and
//     backward are single CPU kernels (tensor/cpu/attention.cpp, where the backward formulas
//     are derived), with no copies for splitting and merging the heads.
// linear_attention(qkv, ...) and softmax_attention(qkv, ...) take the fused path for CPU
// tensors when fused kernels are enabled (autograd/fused.h), and otherwise split qkv into
// heads, run the composite and merge the heads again.
#include <cmath>

#include "autograd/functions.h"
#include "autograd/fused.h"
#include "tensor/ops.h"

namespace dn {

using Grads = std::vector<Tensor>;

Tensor softmax_attention_heads(const Tensor& q, const Tensor& k, const Tensor& v) {
  const double scale = 1.0 / std::sqrt(double(q.size(-1)));
  Tensor scores = matmul(mul_scalar(q, scale), transpose(k, -2, -1));  // q is scaled first
  return matmul(softmax(scores, -1), v);
}

Tensor linear_attention_heads(const Tensor& q, const Tensor& k, const Tensor& v, double eps) {
  Tensor fq = add_scalar(elu(q), 1.0), fk = add_scalar(elu(k), 1.0);
  Tensor kv = matmul(transpose(fk, -2, -1), v);  // [..., dh, dh]
  Tensor k_sum = unsqueeze(sum(fk, {-2}), -1);   // [..., dh, 1]
  Tensor denom = matmul(fq, k_sum);              // [..., N, 1]
  if (eps != 0) denom = add_scalar(denom, eps);
  return div(matmul(fq, kv), denom);
}

std::array<Tensor, 3> split_heads(const Tensor& qkv, int64_t heads) {
  DN_CHECK(qkv.dim() == 3 && qkv.size(2) % (3 * heads) == 0, "attention: qkv ", qkv.describe(),
           " is not [B, N, 3D] with D divisible by ", heads, " heads");
  const int64_t b = qkv.size(0), n = qkv.size(1), dh = qkv.size(2) / (3 * heads);
  // [B, N, 3D] -> [B, N, 3, H, dh] -> [3, B, H, N, dh]
  Tensor t = permute(reshape(qkv, {b, n, 3, heads, dh}), {2, 0, 3, 1, 4});
  return {squeeze(narrow(t, 0, 0, 1), 0), squeeze(narrow(t, 0, 1, 1), 0),
          squeeze(narrow(t, 0, 2, 1), 0)};
}

namespace {

// [B, H, N, dh] -> [B, N, H·dh]
Tensor merge_heads(const Tensor& x) {
  return reshape(transpose(x, 1, 2), {x.size(0), x.size(2), x.size(1) * x.size(3)});
}

}  // namespace

Tensor linear_attention(const Tensor& qkv, int64_t heads, double eps) {
  return fused_or_composite(
      {FusedKernel::linear_attention, FusedKernel::linear_attention_backward}, qkv,
      [&] {
        return record(Op::linear_attention, kernel::fused_linear_attention(qkv, heads, eps), {qkv},
                      [qkv, heads, eps](const Tensor& g, const NeedsGrad&) {
                        return Grads{kernel::fused_linear_attention_backward(g, qkv, heads, eps)};
                      });
      },
      [&] {
        auto [q, k, v] = split_heads(qkv, heads);
        return merge_heads(linear_attention_heads(q, k, v, eps));
      });
}

Tensor softmax_attention(const Tensor& qkv, int64_t heads) {
  return fused_or_composite(
      {FusedKernel::softmax_attention, FusedKernel::softmax_attention_backward}, qkv,
      [&] {
        return record(Op::softmax_attention, kernel::fused_softmax_attention(qkv, heads), {qkv},
                      [qkv, heads](const Tensor& g, const NeedsGrad&) {
                        return Grads{kernel::fused_softmax_attention_backward(g, qkv, heads)};
                      });
      },
      [&] {
        auto [q, k, v] = split_heads(qkv, heads);
        return merge_heads(softmax_attention_heads(q, k, v));
      });
}

}  // namespace dn
