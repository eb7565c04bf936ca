// The small vocabularies shared by the op API and every backend: which elementwise
// function, which reduction, which resampling. A backend implements each kind once.
#pragma once
#include <cstdint>
#include <optional>

namespace dn {

// y = f(x, param). `param` is the scalar of the scalar ops and elu's alpha.
enum class UnaryOp {
  neg, exp, log, sqrt, abs, sign,
  pow_scalar,        // x^param
  add_scalar,        // x + param
  mul_scalar,        // x * param
  elu,               // x > 0 ? x : param*(exp(x)-1)
  elu_grad_factor,   // d elu/dx:  x > 0 ? 1 : param*exp(x)
  gelu,              // x * Phi(x), the exact erf form of nn.GELU()
  gelu_grad_factor,  // d gelu/dx: Phi(x) + x * phi(x)
  erfinv,
  clamp_min,         // max(x, param)
  clamp_max,         // min(x, param)
};
const char* unary_name(UnaryOp op);

// The fused kernels of tensor/backend.def (DN_FUSED_KERNEL), by name; a backend says which
// it has (has_fused).
enum class FusedKernel {
#define DN_KERNEL(name, params)
#define DN_FUSED_KERNEL(name, params) name,
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL
};
const char* fused_kernel_name(FusedKernel kernel);

enum class BinaryOp { add, sub, mul, div, maximum, minimum };
const char* binary_name(BinaryOp op);

enum class CompareOp { eq, ne, lt, le, gt, ge };
const char* compare_name(CompareOp op);

enum class ReduceOp { sum, max, min };

enum class ResampleMode { bilinear, bicubic, nearest };

// One spatial axis of an interpolation: output size plus PyTorch's coordinate rule.
struct ResampleAxis {
  int64_t in = 0, out = 0;
  bool align_corners = false;
  std::optional<double> scale;  // the user's scale_factor, when given (it sets the step)

  // The distance in the input between neighbouring output samples, computed in the
  // kernel's precision T as PyTorch's area_pixel_compute_scale does:
  //   align_corners: (in-1)/(out-1);  a scale_factor s given: 1/s;  otherwise in/out.
  template <class T>
  T step() const {
    if (align_corners) return out > 1 ? T(in - 1) / T(out - 1) : T(0);
    if (scale && *scale > 0) return T(1.0 / *scale);
    return T(in) / T(out);
  }
};

struct ResampleGeometry {
  ResampleAxis h, w;
};

// A 2-D convolution's geometry (square kernel sizes are not assumed).
struct ConvGeometry {
  int64_t batch = 0, channels = 0, in_h = 0, in_w = 0;
  int64_t kernel_h = 0, kernel_w = 0, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int64_t out_h() const { return (in_h + 2 * pad_h - kernel_h) / stride_h + 1; }
  int64_t out_w() const { return (in_w + 2 * pad_w - kernel_w) / stride_w + 1; }
};

enum class RandomKind { uniform, normal };

}  // namespace dn
