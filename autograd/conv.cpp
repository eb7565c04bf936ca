// 2-D convolution as one matrix product: unfold the input into columns (im2col), each
// column holding the C·kh·kw values one output pixel sees, then W [O, C·kh·kw] · cols.
//   out[n] = W · cols[n] + b
// so, with G[n] = dL/dout[n] as [O, L]:
//   dW = Σ_n G[n] · cols[n]ᵀ,   db = Σ_{n,l} G,   d cols[n] = Wᵀ · G[n] -> col2im (adds overlaps)
#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
              int64_t padding) {
  DN_CHECK(x.defined() && x.dim() == 4, "conv2d: input must be [N, C, H, W], got ", x.describe());
  DN_CHECK(weight.defined() && weight.dim() == 4 && weight.size(1) == x.size(1),
           "conv2d: weight ", weight.describe(), " does not fit input ", x.describe());
  DN_CHECK(stride >= 1 && padding >= 0, "conv2d: stride must be >= 1 and padding >= 0");
  ConvGeometry g;
  g.batch = x.size(0);
  g.channels = x.size(1);
  g.in_h = x.size(2);
  g.in_w = x.size(3);
  g.kernel_h = weight.size(2);
  g.kernel_w = weight.size(3);
  g.stride_h = g.stride_w = stride;
  g.pad_h = g.pad_w = padding;
  DN_CHECK(g.out_h() > 0 && g.out_w() > 0, "conv2d: kernel ", g.kernel_h, "x", g.kernel_w,
           " larger than the padded input ", x.describe());
  const int64_t out_ch = weight.size(0), cols_rows = g.channels * g.kernel_h * g.kernel_w;

  Tensor cols = kernel::im2col(x, g);                              // [N, CKK, L]
  Tensor w2 = kernel::reshape(weight, {out_ch, cols_rows});        // [O, CKK]
  Tensor out = kernel::matmul(w2, cols);                           // [N, O, L]
  if (bias.defined()) {
    DN_CHECK(bias.shape() == Shape{out_ch}, "conv2d: bias ", bias.describe(), " should be [",
             out_ch, "]");
    out = kernel::binary(BinaryOp::add, out, kernel::reshape(bias, {out_ch, 1}));
  }
  out = kernel::reshape(out, {g.batch, out_ch, g.out_h(), g.out_w()});
  return record(Op::conv2d, out, {x, weight, bias},
                [cols, w2, g, wshape = weight.shape(), out_ch,
                 has_bias = bias.defined()](const Tensor& grad, const NeedsGrad& needs) {
                  Tensor g3 = kernel::reshape(grad, {g.batch, out_ch, g.out_h() * g.out_w()});
                  Tensor gx, gw, gb;
                  if (needs[0]) gx = kernel::col2im(kernel::matmul(kernel::transpose(w2, 0, 1), g3), g);
                  if (needs[1]) {
                    Tensor per_image = kernel::matmul(g3, kernel::transpose(cols, 1, 2));  // [N, O, CKK]
                    gw = reshape(sum(per_image, {0}, false), wshape);
                  }
                  if (has_bias && needs[2]) gb = sum(g3, {0, 2}, false);
                  return std::vector<Tensor>{gx, gw, gb};
                });
}

}  // namespace dn
