// CPU elementwise kernels: copy (with dtype conversion), fill, unary, binary, compare, where.
//
// Contiguous rows of exp, log, sqrt and the scalar ops, and float rows of GELU and its
// derivative, go through vectorised code (Eigen's array functions; GELU in
// tensor/cpu/vector_math.h) instead of one libm call per element: a float erf from libm
// costs as much as ten vectorised GELUs. Double rows keep libm for GELU (the gradient checks
// need its precision); strided rows use the formulas of tensor/scalar_math.h.
#include <cstring>

#include <Eigen/Core>

#include "tensor/cpu/vector_math.h"

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"
#include "tensor/scalar_math.h"

namespace dn::cpu {

void copy(const Tensor& dst, const Tensor& src) {
  char* d = static_cast<char*>(dst.data_ptr());
  const char* s = static_cast<const char*>(src.data_ptr());
  if (dst.dtype() == src.dtype()) {
    const size_t esize = dtype_size(dst.dtype());
    for_each_row<2>(dst.shape(), {dst.strides(), src.strides()},
                    [&](int64_t n, auto off, auto step) {
                      char* dp = d + off[0] * esize;
                      const char* sp = s + off[1] * esize;
                      if (step[0] == 1 && step[1] == 1) {
                        std::memcpy(dp, sp, n * esize);
                        return;
                      }
                      for (int64_t i = 0; i < n; ++i)
                        std::memcpy(dp + i * step[0] * esize, sp + i * step[1] * esize, esize);
                    });
    return;
  }
  dispatch_any(dst.dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_any(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      D* dp = reinterpret_cast<D*>(d);
      const S* sp = reinterpret_cast<const S*>(s);
      for_each_row<2>(dst.shape(), {dst.strides(), src.strides()},
                      [&](int64_t n, auto off, auto step) {
                        for (int64_t i = 0; i < n; ++i)
                          dp[off[0] + i * step[0]] =
                              from_double<D>(to_double(sp[off[1] + i * step[1]]));
                      });
    });
  });
}

void fill(const Tensor& dst, double value) {
  dispatch_any(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T v = from_double<T>(value);
    T* p = static_cast<T*>(dst.data_ptr());
    for_each_row<1>(dst.shape(), {dst.strides()}, [&](int64_t n, auto off, auto step) {
      for (int64_t i = 0; i < n; ++i) p[off[0] + i * step[0]] = v;
    });
  });
}

namespace {

// out[i] = f(x[i]) over a contiguous row, vectorised. Returns false for the ops it leaves to
// the scalar loop (pow, erfinv, sign and the like, and erf-based ops in double).
template <class T>
bool unary_row_vectorised(UnaryOp op, T* out, const T* x, int64_t n, T p) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  Eigen::Map<Array> o(out, n);
  Eigen::Map<const Array> a(x, n);
  switch (op) {
    case UnaryOp::neg: o = -a; return true;
    case UnaryOp::exp: o = a.exp(); return true;
    case UnaryOp::log: o = a.log(); return true;
    case UnaryOp::sqrt: o = a.sqrt(); return true;
    case UnaryOp::add_scalar: o = a + p; return true;
    case UnaryOp::mul_scalar: o = a * p; return true;
    default: break;
  }
  if constexpr (std::is_same_v<T, float>) {
    switch (op) {
      case UnaryOp::gelu: vec::gelu(out, x, n); return true;
      case UnaryOp::gelu_grad_factor: vec::gelu_grad_factor(out, x, n); return true;
      default: break;
    }
  }
  return false;
}

}  // namespace

void unary(UnaryOp op, const Tensor& out, const Tensor& x, double param) {
  dispatch_float(x.dtype(), unary_name(op), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    const T* a = x.data<T>();
    const T p = T(param);
    for_each_row<2>(out.shape(), {out.strides(), x.strides()}, [&](int64_t n, auto off, auto step) {
      T* op_ = o + off[0];
      const T* ap = a + off[1];
      if (step[0] == 1 && step[1] == 1) {
        if (unary_row_vectorised<T>(op, op_, ap, n, p)) return;
        for (int64_t i = 0; i < n; ++i) op_[i] = unary_apply<T>(op, ap[i], p);
        return;
      }
      for (int64_t i = 0; i < n; ++i) op_[i * step[0]] = unary_apply<T>(op, ap[i * step[1]], p);
    });
  });
}

template <class T, class F>
static void binary_rows(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  T* o = out.data<T>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  for_each_row<3>(out.shape(), {out.strides(), a.strides(), b.strides()},
                  [&](int64_t n, auto off, auto step) {
                    T* op_ = o + off[0];
                    const T* ap = pa + off[1];
                    const T* bp = pb + off[2];
                    if (step[0] == 1 && step[1] == 1 && step[2] == 1) {
#pragma omp simd
                      for (int64_t i = 0; i < n; ++i) op_[i] = f(ap[i], bp[i]);
                    } else if (step[0] == 1 && step[1] == 1 && step[2] == 0) {
                      const T bv = *bp;
#pragma omp simd
                      for (int64_t i = 0; i < n; ++i) op_[i] = f(ap[i], bv);
                    } else if (step[0] == 1 && step[1] == 0 && step[2] == 1) {
                      const T av = *ap;
#pragma omp simd
                      for (int64_t i = 0; i < n; ++i) op_[i] = f(av, bp[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i)
                        op_[i * step[0]] = f(ap[i * step[1]], bp[i * step[2]]);
                    }
                  });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_float(out.dtype(), binary_name(op), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case BinaryOp::add: return binary_rows<T>(out, a, b, [](T x, T y) { return x + y; });
      case BinaryOp::sub: return binary_rows<T>(out, a, b, [](T x, T y) { return x - y; });
      case BinaryOp::mul: return binary_rows<T>(out, a, b, [](T x, T y) { return x * y; });
      case BinaryOp::div: return binary_rows<T>(out, a, b, [](T x, T y) { return x / y; });
      default:
        return binary_rows<T>(out, a, b, [op](T x, T y) { return binary_apply<T>(op, x, y); });
    }
  });
}

void compare(CompareOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  bool* o = out.data<bool>();
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_arithmetic_v<T>) {
      const T* pa = static_cast<const T*>(a.data_ptr());
      const T* pb = static_cast<const T*>(b.data_ptr());
      for_each_row<3>(out.shape(), {out.strides(), a.strides(), b.strides()},
                      [&](int64_t n, auto off, auto step) {
                        for (int64_t i = 0; i < n; ++i)
                          o[off[0] + i * step[0]] =
                              compare_apply<T>(op, pa[off[1] + i * step[1]], pb[off[2] + i * step[2]]);
                      });
    } else {
      fail(compare_name(op), ": dtype ", dtype_name(a.dtype()), " is not supported");
    }
  });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  const bool* c = cond.data<bool>();
  dispatch_float(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    for_each_row<4>(out.shape(), {out.strides(), cond.strides(), a.strides(), b.strides()},
                    [&](int64_t n, auto off, auto step) {
                      for (int64_t i = 0; i < n; ++i)
                        o[off[0] + i * step[0]] = c[off[1] + i * step[1]]
                                                      ? pa[off[2] + i * step[2]]
                                                      : pb[off[3] + i * step[3]];
                    });
  });
}

}  // namespace dn::cpu
