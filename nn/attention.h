// Multi-head self-attention, in the two forms Dinomaly uses.
//
// Both start the same way: qkv = Linear(D, 3D)(x), split into q, k, v of [B, H, N, dh]
// (rows [0, D) of qkv.weight are q, [D, 2D) k, [2D, 3D) v; head h owns 64h..64h+63).
//
//   softmax (the DINOv2 encoder):  out = softmax(q·kᵀ / sqrt(dh)) · v        O(N²) per head
//   linear (Dinomaly's decoder, LinearAttention2):
//       φ(x) = elu(x) + 1 > 0,   out_s = Σ_t φ(q_s)·φ(k_t) v_t / Σ_t φ(q_s)·φ(k_t)
//            = φ(q_s)ᵀ (φ(K)ᵀ V) / (φ(q_s) · Σ_t φ(k_t))                    O(N) per head
//     No 1/sqrt(dh) scale, and no eps in the denominator (an option adds one).
// Then the heads are concatenated back to [B, N, D] and projected: proj = Linear(D, D).
#pragma once
#include "nn/layers.h"

namespace dn::nn {

enum class AttentionKind { softmax, linear };

class Attention : public Module {
 public:
  Attention(int64_t dim, int64_t heads, AttentionKind kind, bool qkv_bias = true,
            double linear_eps = 0.0, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  // The attention weights of every query of one head (for pictures): [B, N, N], row q
  // summing to 1. `as` chooses the form: the module's own, or the other one computed from
  // the same q and k (the paper's Figure 3 compares the two).
  Tensor attention_map(const Tensor& x, int64_t head, AttentionKind as) const;
  std::string type_name() const override { return "Attention"; }

  std::shared_ptr<Linear> qkv, proj;
  int64_t heads;
  AttentionKind kind;
  double linear_eps;

 private:
  struct QKV {
    Tensor q, k, v;  // [B, H, N, dh]
  };
  QKV split_heads(const Tensor& x) const;
};
// The formulas, per head group, are dn::softmax_attention_heads and dn::linear_attention_heads
// (autograd/attention.cpp, beside their fused forms).

}  // namespace dn::nn
