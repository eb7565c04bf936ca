// The op API without autograd: shape and dtype checks, output allocation, and a call into
// the backend where the tensors live (tensor/cpu/ or tensor/cuda/). These functions never
// record anything for backward; the differentiable ops in autograd/ are built on them.
// Every check failure throws dn::Error naming the op and the shapes.
#pragma once
#include <vector>

#include "tensor/op_kinds.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dn::kernel {

// --- Views: new metadata over the same storage, no copy ----------------------------------
Tensor view(const Tensor& x, Shape shape);  // one entry may be -1; fails if not viewable
bool can_view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, Shape shape);  // a view when possible, else a copy
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor expand(const Tensor& x, const Shape& shape);  // -1 keeps a size
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor as_strided(const Tensor& x, Shape shape, Shape strides, int64_t offset);

// --- Copies and conversions --------------------------------------------------------------
Tensor contiguous(const Tensor& x);  // x itself when already contiguous
Tensor clone(const Tensor& x);
Tensor to(const Tensor& x, DType dtype);    // x itself when already of that dtype
Tensor to(const Tensor& x, Device device);  // x itself when already there
void copy_(const Tensor& dst, const Tensor& src);  // src broadcast to dst's shape
void add_(const Tensor& dst, const Tensor& src);   // dst += src, src broadcast to dst's shape
void fill_(const Tensor& dst, double value);

// --- Elementwise -------------------------------------------------------------------------
Tensor unary(UnaryOp op, const Tensor& x, double param = 0);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);  // broadcasting
Tensor compare(CompareOp op, const Tensor& a, const Tensor& b);  // bool result
Tensor compare_scalar(CompareOp op, const Tensor& a, double b);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// --- Reductions --------------------------------------------------------------------------
// Over `dims` (all dims when empty); keepdim leaves them with size 1.
Tensor reduce(ReduceOp op, const Tensor& x, std::vector<int64_t> dims, bool keepdim);
// Sums a gradient of a broadcast result back to the shape its input had.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

// --- Linear algebra ----------------------------------------------------------------------
// [..., m, k] x [..., k, n] with broadcast batch dims. Transposed views are not copied.
Tensor matmul(const Tensor& a, const Tensor& b);

// --- Normalisation -----------------------------------------------------------------------
Tensor softmax(const Tensor& x, int64_t dim);
struct LayerNormResult {
  Tensor out, mean, rstd;  // mean and rstd: x's shape without its last dim
};
// Over the last dim; weight and bias (shape [D]) may be undefined.
LayerNormResult layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);

// --- Indexing and joining ----------------------------------------------------------------
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// A copy of base with src's slices added at index positions along dim.
Tensor index_add(const Tensor& base, int64_t dim, const Tensor& index, const Tensor& src);
struct TopK {
  Tensor values, indices;
};
TopK topk(const Tensor& x, int64_t k, int64_t dim, bool largest = true);

// --- Resampling and convolution ----------------------------------------------------------
// x: [N, C, H, W]; the geometry's `in` sizes must match x.
Tensor resample(ResampleMode mode, const Tensor& x, const ResampleGeometry& geometry);
Tensor resample_backward(ResampleMode mode, const Tensor& grad_out, const ResampleGeometry& geometry);
Tensor im2col(const Tensor& x, const ConvGeometry& geometry);     // [N, C*kh*kw, oh*ow]
Tensor col2im(const Tensor& cols, const ConvGeometry& geometry);  // [N, C, H, W]

// --- Random ------------------------------------------------------------------------------
Tensor uniform(const Shape& shape, double low, double high, Generator& gen,
               DType dtype = DType::f32, Device device = Device::cpu());
Tensor normal(const Shape& shape, double mean, double std, Generator& gen,
              DType dtype = DType::f32, Device device = Device::cpu());
// As torch.nn.init.trunc_normal_: uniform on [2Φ(a')-1, 2Φ(b')-1] with a' = (a-mean)/std,
// then erfinv, times std·√2, plus mean, clamped to [a, b].
Tensor trunc_normal(const Shape& shape, double mean, double std, double a, double b,
                    Generator& gen, DType dtype = DType::f32, Device device = Device::cpu());

// a [..., k] · b [k, n] in float32 with bfloat16 inputs on the CPU's AMX unit, else its
// AVX512-BF16 instructions (an option: tensor/cpu/matmul_bf16.h); cpu_matmul_bf16() says
// whether a Linear product here uses it (DN_CPU_MATMUL=bf16 or bf16-encoder, or
// cpu::set_matmul_precision). Throws where the CPU has neither.
Tensor matmul_bf16(const Tensor& a, const Tensor& b);
bool cpu_matmul_bf16();

// --- Fused kernels --------------------------------------------------------------------------
// One pass where the composite ops take several (tensor/backend.def, DN_FUSED_KERNEL). A backend
// may lack one: has_fused says whether `device`'s backend has `kernel` for `dtype` (the CPU has
// them all for float32/float64, CUDA none yet). The autograd ops ask it through
// autograd/fused.h and run their composite where the answer is no; called there anyway, these
// functions throw, naming the kernel.
bool has_fused(FusedKernel kernel, Device device, DType dtype);

//
// Multi-head attention on the packed output of the qkv Linear: qkv [B, N, 3D] (q, k, v side
// by side, each split into `heads` heads of D/heads); the result is [B, N, D] with the heads
// side by side again, as the output projection reads it. The backward functions return the
// gradient of qkv from that of the result, recomputing the forward's intermediates.
//   linear:  φ(q)·(φ(k)ᵀv) / (φ(q)·Σφ(k) + eps) with φ = elu + 1 (Dinomaly's LinearAttention2)
//   softmax: softmax((q·scale)·kᵀ)·v with scale = 1/√(D/heads) (the DINOv2 encoder)
Tensor fused_linear_attention(const Tensor& qkv, int64_t heads, double eps);
Tensor fused_linear_attention_backward(const Tensor& grad_out, const Tensor& qkv, int64_t heads,
                                       double eps);
Tensor fused_softmax_attention(const Tensor& qkv, int64_t heads);
Tensor fused_softmax_attention_backward(const Tensor& grad_out, const Tensor& qkv, int64_t heads);

// Linear epilogues, in place on a fresh product `out` (contiguous, last dim = bias size):
// out += bias; or out += bias (when defined) and then gelu, returned as a new tensor (out then
// holds the GELU's input, for its backward) or, with in_place, written over out itself.
void fused_add_bias_(const Tensor& out, const Tensor& bias);
Tensor fused_bias_gelu_(const Tensor& out, const Tensor& bias, bool in_place);
// grad_y ⊙ gelu'(x)
Tensor fused_gelu_backward(const Tensor& grad_y, const Tensor& x);

// LayerNorm's backward from its forward's mean and rstd (LayerNormResult): the gradients of
// x, weight and bias, each computed only when asked for (undefined otherwise).
struct LayerNormGrads {
  Tensor x, weight, bias;
};
// Dropout drawing its uniforms from `gen` exactly as kernel::uniform(x.shape(), 0, 1, gen)
// would: out = x ⊙ keep / (1-p) with keep = u < 1-p. `keep` (bool, x's shape) is what the
// backward needs: grad_x = grad_out ⊙ keep / (1-p).
struct DropoutResult {
  Tensor out, keep;
};
DropoutResult fused_dropout(const Tensor& x, double p, Generator& gen);
Tensor fused_dropout_backward(const Tensor& grad_out, const Tensor& keep, double p);

// The mean of equally shaped tensors, element by element (= mean(stack(tensors), 0)).
Tensor fused_mean_of(const std::vector<Tensor>& tensors);

LayerNormGrads fused_layer_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& mean,
                                         const Tensor& rstd, const Tensor& weight, bool want_x,
                                         bool want_weight, bool want_bias);

}  // namespace dn::kernel
