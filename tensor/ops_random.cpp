// Random tensors from a Philox generator.
#include <cmath>

#include "tensor/ops_common.h"

namespace dn::kernel {

Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype,
               Device device) {
  Tensor out = empty(shape, dtype, device);
  DN_CHECK(is_math_dtype(dtype), "uniform: dtype ", dtype_name(dtype), " not supported");
  const uint64_t first = gen.take_blocks(uint64_t(out.numel() + 3) / 4);
  if (out.numel() > 0)
    DN_RUN_KERNEL(device, random, RandomKind::uniform, out, gen.seed(), first, low, high);
  return out;
}

Tensor normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype,
              Device device) {
  Tensor out = empty(shape, dtype, device);
  DN_CHECK(is_math_dtype(dtype), "normal: dtype ", dtype_name(dtype), " not supported");
  const uint64_t first = gen.take_blocks(uint64_t(out.numel() + 1) / 2);
  if (out.numel() > 0)
    DN_RUN_KERNEL(device, random, RandomKind::normal, out, gen.seed(), first, mean, std);
  return out;
}

Tensor trunc_normal(const Shape& shape, double mean, double std, double a, double b,
                    Generator& gen, DType dtype, Device device) {
  DN_CHECK(std > 0 && a < b, "trunc_normal: need std > 0 and a < b (std ", std, ", a ", a,
           ", b ", b, ")");
  auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  const double l = cdf((a - mean) / std), u = cdf((b - mean) / std);
  Tensor t = uniform(shape, 2 * l - 1, 2 * u - 1, gen, dtype, device);
  t = unary(UnaryOp::erfinv, t);
  t = unary(UnaryOp::mul_scalar, t, std * std::sqrt(2.0));
  t = unary(UnaryOp::add_scalar, t, mean);
  t = unary(UnaryOp::clamp_min, t, a);
  return unary(UnaryOp::clamp_max, t, b);
}

}  // namespace dn::kernel
