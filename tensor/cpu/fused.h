// CPU-only fused kernels: one pass (and one OpenMP region) where the composite ops take
// several, reading strided operands in place instead of copying them. They are not in
// backend.def: the op API (tensor/ops.h, "Fused kernels") calls them for CPU tensors, and the
// autograd ops that use them fall back to their composite on other devices.
//
// Attention layout: qkv is [B, N, 3D] as the qkv Linear produces it, contiguous; columns
// [0, D) are q, [D, 2D) k, [2D, 3D) v, and head h owns columns h·dh .. h·dh+dh-1 of each
// (dh = D / heads). Attention outputs and their gradients are [B, N, D] with the heads side
// by side, as the projection reads them; gradients of qkv have qkv's layout.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dn::cpu {

// out = φ(q)·(φ(k)ᵀv) / (φ(q)·Σφ(k) + eps), φ(x) = elu(x) + 1, per head
void linear_attention(const Tensor& out, const Tensor& qkv, int64_t heads, double eps);
void linear_attention_backward(const Tensor& grad_qkv, const Tensor& grad_out, const Tensor& qkv,
                               int64_t heads, double eps);
// out = softmax((q·scale)·kᵀ)·v, per head
void softmax_attention(const Tensor& out, const Tensor& qkv, int64_t heads, double scale);
void softmax_attention_backward(const Tensor& grad_qkv, const Tensor& grad_out, const Tensor& qkv,
                                int64_t heads, double scale);

// Linear epilogues on a contiguous [rows, n] product (bias: [n]):
//   add_bias:    out += bias, row by row
//   bias_gelu:   h += bias (when defined), then y = gelu(h); y may be h itself
//   gelu_backward: grad_x = grad_y ⊙ gelu'(x)
void add_bias(const Tensor& out, const Tensor& bias);
void bias_gelu(const Tensor& y, const Tensor& h, const Tensor& bias);
void gelu_backward(const Tensor& grad_x, const Tensor& grad_y, const Tensor& x);

// LayerNorm over the last dim of contiguous x, g: dx, dw, db from the forward's mean and
// rstd. Outputs that are undefined are not computed; weight may be undefined (1).
void layer_norm_backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_b,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean,
                         const Tensor& rstd, const Tensor& weight);

// Dropout of contiguous x with the uniforms of Philox blocks first_block, first_block+1, ...
// (as kernel::uniform draws them): keep = u < 1-p (bool), out = x ⊙ keep / (1-p). The
// backward: grad_x = grad_out ⊙ keep / (1-p).
void dropout(const Tensor& out, const Tensor& keep, const Tensor& x, double p, uint64_t seed,
             uint64_t first_block);
void dropout_backward(const Tensor& grad_x, const Tensor& grad_out, const Tensor& keep, double p);

// out = (Σ_k inputs[k]) / n, element by element; all contiguous, of out's shape.
void mean_of(const Tensor& out, const std::vector<Tensor>& inputs);

}  // namespace dn::cpu
