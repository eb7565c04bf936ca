#include "nn/attention.h"

#include <cmath>

namespace dn::nn {

Attention::Attention(int64_t dim, int64_t heads, AttentionKind kind, bool qkv_bias,
                     double linear_eps, TensorOptions o)
    : heads(heads), kind(kind), linear_eps(linear_eps) {
  DN_CHECK(heads > 0 && dim % heads == 0, "Attention: dim ", dim, " is not divisible by ",
           heads, " heads");
  qkv = register_module("qkv", std::make_shared<Linear>(dim, 3 * dim, qkv_bias, o));
  proj = register_module("proj", std::make_shared<Linear>(dim, dim, true, o));
}

Attention::QKV Attention::split_heads(const Tensor& x) const {
  const int64_t b = x.size(0), n = x.size(1), d = x.size(2), dh = d / heads;
  // [B, N, 3D] -> [B, N, 3, H, dh] -> [3, B, H, N, dh]
  Tensor t = permute(reshape(qkv->forward(x), {b, n, 3, heads, dh}), {2, 0, 3, 1, 4});
  return {squeeze(narrow(t, 0, 0, 1), 0), squeeze(narrow(t, 0, 1, 1), 0),
          squeeze(narrow(t, 0, 2, 1), 0)};
}

Tensor softmax_attention(const Tensor& q, const Tensor& k, const Tensor& v) {
  const double scale = 1.0 / std::sqrt(double(q.size(-1)));
  Tensor scores = matmul(mul_scalar(q, scale), transpose(k, -2, -1));  // q is scaled first
  return matmul(softmax(scores, -1), v);
}

Tensor linear_attention(const Tensor& q, const Tensor& k, const Tensor& v, double eps) {
  Tensor fq = add_scalar(elu(q), 1.0), fk = add_scalar(elu(k), 1.0);
  Tensor kv = matmul(transpose(fk, -2, -1), v);                  // [..., dh, dh]
  Tensor k_sum = unsqueeze(sum(fk, {-2}), -1);                   // [..., dh, 1]
  Tensor denom = matmul(fq, k_sum);                              // [..., N, 1]
  if (eps != 0) denom = add_scalar(denom, eps);
  return div(matmul(fq, kv), denom);
}

Tensor Attention::forward(const Tensor& x) const {
  DN_CHECK(x.dim() == 3, "Attention: input must be [B, N, D], got ", x.describe());
  const int64_t b = x.size(0), n = x.size(1), d = x.size(2);
  QKV h = split_heads(x);
  Tensor out = kind == AttentionKind::softmax ? softmax_attention(h.q, h.k, h.v)
                                              : linear_attention(h.q, h.k, h.v, linear_eps);
  return proj->forward(reshape(transpose(out, 1, 2), {b, n, d}));  // [B, H, N, dh] -> [B, N, D]
}

Tensor Attention::attention_map(const Tensor& x, int64_t head, AttentionKind as) const {
  NoGradGuard guard;
  QKV h = split_heads(x);
  Tensor q = squeeze(narrow(h.q, 1, head, 1), 1), k = squeeze(narrow(h.k, 1, head, 1), 1);
  if (as == AttentionKind::softmax) {
    const double scale = 1.0 / std::sqrt(double(q.size(-1)));
    return softmax(matmul(mul_scalar(q, scale), transpose(k, -2, -1)), -1);
  }
  Tensor fq = add_scalar(elu(q), 1.0), fk = add_scalar(elu(k), 1.0);
  Tensor w = matmul(fq, transpose(fk, -2, -1));  // the N×N matrix LinearAttention2 never forms
  return div(w, sum(w, {-1}, true));
}

}  // namespace dn::nn
