// CPU elementwise kernels: copy (with dtype conversion), fill, unary, binary, compare, where.
#include <cstring>

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
        // Contiguous rows: a switch outside the loop lets the compiler vectorise each case.
        switch (op) {
          case UnaryOp::mul_scalar:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) op_[i] = ap[i] * p;
            return;
          case UnaryOp::add_scalar:
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) op_[i] = ap[i] + p;
            return;
          default:
            for (int64_t i = 0; i < n; ++i) op_[i] = unary_apply<T>(op, ap[i], p);
            return;
        }
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
