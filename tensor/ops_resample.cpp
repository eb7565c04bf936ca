// Interpolation and im2col/col2im.
#include "tensor/ops_common.h"

namespace dn::kernel {

namespace {
void check_image(const char* op, const Tensor& x) {
  check_defined(op, x);
  check_math_dtype(op, x);
  DN_CHECK(x.dim() == 4, op, ": expected an [N, C, H, W] tensor, got ", x.describe());
}
void check_geometry(const char* op, const ResampleGeometry& g) {
  DN_CHECK(g.h.in > 0 && g.w.in > 0 && g.h.out > 0 && g.w.out > 0, op,
           ": sizes must be positive (", g.h.in, "x", g.w.in, " -> ", g.h.out, "x", g.w.out, ")");
}
}  // namespace

Tensor resample(ResampleMode mode, const Tensor& x_in, const ResampleGeometry& g) {
  check_image("interpolate", x_in);
  check_geometry("interpolate", g);
  DN_CHECK(x_in.size(2) == g.h.in && x_in.size(3) == g.w.in, "interpolate: input ",
           x_in.describe(), " does not match the geometry's ", g.h.in, "x", g.w.in);
  Tensor x = contiguous(x_in);
  Tensor out = empty({x.size(0), x.size(1), g.h.out, g.w.out}, x.dtype(), x.device());
  if (out.numel() > 0) DN_RUN_KERNEL(x.device(), resample, mode, out, x, g);
  return out;
}

Tensor resample_backward(ResampleMode mode, const Tensor& grad_out, const ResampleGeometry& g) {
  check_image("interpolate_backward", grad_out);
  check_geometry("interpolate_backward", g);
  Tensor go = contiguous(grad_out);
  Tensor gx = zeros({go.size(0), go.size(1), g.h.in, g.w.in}, go.dtype(), go.device());
  if (go.numel() > 0) DN_RUN_KERNEL(go.device(), resample_backward, mode, gx, go, g);
  return gx;
}

Tensor im2col(const Tensor& x_in, const ConvGeometry& g) {
  check_image("im2col", x_in);
  Tensor x = contiguous(x_in);
  Tensor cols = empty({g.batch, g.channels * g.kernel_h * g.kernel_w, g.out_h() * g.out_w()},
                      x.dtype(), x.device());
  if (cols.numel() > 0) DN_RUN_KERNEL(x.device(), im2col, cols, x, g);
  return cols;
}

Tensor col2im(const Tensor& cols_in, const ConvGeometry& g) {
  check_defined("col2im", cols_in);
  Tensor cols = contiguous(cols_in);
  Tensor x = zeros({g.batch, g.channels, g.in_h, g.in_w}, cols.dtype(), cols.device());
  if (cols.numel() > 0) DN_RUN_KERNEL(cols.device(), col2im, x, cols, g);
  return x;
}

}  // namespace dn::kernel
