// Helpers shared by the op API's source files (not part of the public API).
#pragma once
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/ops.h"

// Runs the backend kernel `name` on the device `device` lives on.
#define DN_RUN_KERNEL(device, name, ...) \
  ((device).is_cuda() ? ::dn::cuda::name(__VA_ARGS__) : ::dn::cpu::name(__VA_ARGS__))

namespace dn::kernel {

inline void check_defined(const char* op, const Tensor& t) {
  DN_CHECK(t.defined(), op, ": an input tensor is undefined");
}

inline void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  DN_CHECK(a.device() == b.device(), op, ": tensors on different devices (", a.device().str(),
           " and ", b.device().str(), ")");
}

inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  DN_CHECK(a.dtype() == b.dtype(), op, ": dtypes differ (", dtype_name(a.dtype()), " ",
           shape_str(a.shape()), " and ", dtype_name(b.dtype()), " ", shape_str(b.shape()), ")");
}

inline void check_math_dtype(const char* op, const Tensor& t) {
  DN_CHECK(is_math_dtype(t.dtype()), op, ": dtype ", dtype_name(t.dtype()),
           " is not supported (float32 or float64 expected)");
}

// Moves `dim` to the last position (a view).
inline Tensor move_dim_to_end(const Tensor& x, int64_t dim) {
  std::vector<int64_t> order;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) order.push_back(d);
  order.push_back(dim);
  return permute(x, order);
}

// The inverse of move_dim_to_end.
inline Tensor move_end_to_dim(const Tensor& x, int64_t dim) {
  std::vector<int64_t> order;
  const int64_t n = x.dim();
  for (int64_t d = 0; d < n; ++d) {
    if (d < dim) order.push_back(d);
    else if (d == dim) order.push_back(n - 1);
    else order.push_back(d - 1);
  }
  return permute(x, order);
}

}  // namespace dn::kernel
