#include "export/layers.h"

#include <cmath>

#include "tensor/ops.h"

namespace dn::onnx_export {

std::string linear(GraphBuilder& g, const std::string& x, const nn::Linear& layer, const std::string& name) {
  const std::string w_t = g.weight(name + ".weight_t", kernel::transpose(layer.weight, 0, 1));
  std::string y = g.node("MatMul", {x, w_t});
  if (layer.bias.defined()) y = g.node("Add", {y, g.weight(name + ".bias", layer.bias)});
  return y;
}

std::string layer_norm(GraphBuilder& g, const std::string& x, const nn::LayerNorm& layer, const std::string& name) {
  return g.node("LayerNormalization", {x, g.weight(name + ".weight", layer.weight), g.weight(name + ".bias", layer.bias)},
                {{"axis", int64_t(-1)}, {"epsilon", float(layer.eps)}});
}

std::string gelu(GraphBuilder& g, const std::string& x) {
  const std::string erf = g.node("Erf", {g.node("Mul", {x, g.scalar(float(M_SQRT1_2), "inv_sqrt2")})});
  const std::string one_plus = g.node("Add", {erf, g.scalar(1.0f, "one")});
  return g.node("Mul", {g.node("Mul", {x, g.scalar(0.5f, "half")}), one_plus});
}

std::string mlp(GraphBuilder& g, const std::string& x, const nn::Mlp& m, const std::string& name) {
  return linear(g, gelu(g, linear(g, x, *m.fc1, name + ".fc1")), *m.fc2, name + ".fc2");
}

namespace {

// φ(x) = elu(x) + 1: the feature map of linear attention.
std::string elu_plus_one(GraphBuilder& g, const std::string& x) {
  return g.node("Add", {g.node("Elu", {x}, {{"alpha", 1.0f}}), g.scalar(1.0f, "one")});
}

// softmax(q·kᵀ/√dh)·v, per head: [N, H, T, dh] each.
std::string softmax_heads(GraphBuilder& g, const std::string& q, const std::string& k, const std::string& v,
                          int64_t head_dim) {
  const std::string k_t = g.node("Transpose", {k}, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  const std::string q_scaled = g.node("Mul", {q, g.scalar(float(1.0 / std::sqrt(double(head_dim))), "attn_scale")});
  const std::string scores = g.node("MatMul", {q_scaled, k_t});  // q is scaled first, as nn/ does
  return g.node("MatMul", {g.node("Softmax", {scores}, {{"axis", int64_t(-1)}}), v});
}

// φ(q)(φ(K)ᵀV) / (φ(q)·Σ_t φ(k_t) + eps), per head (nn/attention.h): [N, H, T, dh] each.
std::string linear_heads(GraphBuilder& g, const std::string& q, const std::string& k, const std::string& v,
                         double eps) {
  const std::string fq = elu_plus_one(g, q), fk = elu_plus_one(g, k);
  const std::string fk_t = g.node("Transpose", {fk}, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  const std::string kv = g.node("MatMul", {fk_t, v});                                    // [N, H, dh, dh]
  const std::string k_sum = g.node("ReduceSum", {fk_t, g.ints({-1}, "axes")}, {{"keepdims", int64_t(1)}});  // [N, H, dh, 1]
  std::string denominator = g.node("MatMul", {fq, k_sum});                              // [N, H, T, 1]
  if (eps != 0) denominator = g.node("Add", {denominator, g.scalar(float(eps), "attn_eps")});
  return g.node("Div", {g.node("MatMul", {fq, kv}), denominator});
}

}  // namespace

std::string attention(GraphBuilder& g, const std::string& x, const nn::Attention& attn, int64_t tokens,
                      const std::string& name) {
  const int64_t dim = attn.proj->weight.size(0), heads = attn.heads, head_dim = dim / heads;
  // [N, T, 3D] -> [N, T, 3, H, dh] -> [3, N, H, T, dh]; q, k, v = its three slices.
  const std::string qkv = linear(g, x, *attn.qkv, name + ".qkv");
  const std::string split = g.node("Transpose", {g.node("Reshape", {qkv, g.ints({0, tokens, 3, heads, head_dim}, "shape")})},
                                   {{"perm", std::vector<int64_t>{2, 0, 3, 1, 4}}});
  const std::string q = g.node("Gather", {split, g.int_scalar(0)}, {{"axis", int64_t(0)}});
  const std::string k = g.node("Gather", {split, g.int_scalar(1)}, {{"axis", int64_t(0)}});
  const std::string v = g.node("Gather", {split, g.int_scalar(2)}, {{"axis", int64_t(0)}});
  const std::string heads_out = attn.kind == nn::AttentionKind::softmax ? softmax_heads(g, q, k, v, head_dim)
                                                                        : linear_heads(g, q, k, v, attn.linear_eps);
  // [N, H, T, dh] -> [N, T, H, dh] -> [N, T, D]
  const std::string merged = g.node("Reshape", {g.node("Transpose", {heads_out}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}}),
                                                g.ints({0, tokens, dim}, "shape")});
  return linear(g, merged, *attn.proj, name + ".proj");
}

std::string block(GraphBuilder& g, const std::string& x_in, const nn::Block& b, int64_t tokens,
                  const std::string& name) {
  std::string y = attention(g, layer_norm(g, x_in, *b.norm1, name + ".norm1"), *b.attn, tokens, name + ".attn");
  if (b.ls1) y = g.node("Mul", {y, g.weight(name + ".ls1.gamma", b.ls1->gamma)});
  const std::string x = g.node("Add", {x_in, y});
  std::string z = mlp(g, layer_norm(g, x, *b.norm2, name + ".norm2"), *b.mlp, name + ".mlp");
  if (b.ls2) z = g.node("Mul", {z, g.weight(name + ".ls2.gamma", b.ls2->gamma)});
  return g.node("Add", {x, z});
}

std::string mean_of(GraphBuilder& g, const std::vector<std::string>& values) {
  const std::string sum = values.size() == 1 ? values[0] : g.node("Sum", values);
  return g.node("Div", {sum, g.scalar(float(values.size()), "count")});
}

}  // namespace dn::onnx_export
