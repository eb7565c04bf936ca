// Interpolation is linear in its input: out = M·x for a fixed sparse matrix M of tap
// weights. Its backward is Mᵀ·g, which the kernel computes by scattering each output
// gradient back onto the taps it read from.
#include <cmath>

#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn {

namespace {
ResampleAxis make_axis(const char* which, int64_t in, int64_t out_size, std::optional<double> scale,
                       bool align_corners) {
  ResampleAxis ax;
  ax.in = in;
  ax.align_corners = align_corners;
  if (out_size > 0) {
    ax.out = out_size;
  } else {
    DN_CHECK(scale && *scale > 0, "interpolate: give an output ", which, " or a positive scale");
    ax.out = int64_t(std::floor(double(in) * *scale));
  }
  ax.scale = scale;
  return ax;
}
}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& o) {
  DN_CHECK(x.defined() && x.dim() == 4, "interpolate: expected [N, C, H, W], got ", x.describe());
  ResampleGeometry g{make_axis("height", x.size(2), o.out_h, o.scale_h, o.align_corners),
                     make_axis("width", x.size(3), o.out_w, o.scale_w, o.align_corners)};
  DN_CHECK(!(o.align_corners && o.mode == ResampleMode::nearest),
           "interpolate: align_corners has no meaning for nearest");
  return record(Op::interpolate, kernel::resample(o.mode, x, g), {x},
                [g, mode = o.mode](const Tensor& grad, const NeedsGrad&) {
                  return std::vector<Tensor>{kernel::resample_backward(mode, grad, g)};
                });
}

}  // namespace dn
