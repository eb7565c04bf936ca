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
  auto [q, k, v] = dn::split_heads(qkv->forward(x), heads);
  return {q, k, v};
}

// On the packed qkv, so that the CPU's fused kernels read q, k and v in place and write the
// heads side by side for proj (autograd/attention.cpp); elsewhere the same composite as above.
Tensor Attention::forward(const Tensor& x) const {
  DN_CHECK(x.dim() == 3, "Attention: input must be [B, N, D], got ", x.describe());
  Tensor packed = qkv->forward(x);  // [B, N, 3D]
  Tensor out = kind == AttentionKind::softmax ? dn::softmax_attention(packed, heads)
                                              : dn::linear_attention(packed, heads, linear_eps);
  return proj->forward(out);  // [B, N, D]
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
