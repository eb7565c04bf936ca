// CUDA elementwise kernels: copy (with dtype conversion), fill, unary, binary, compare,
// where. Each is a functor over element offsets run by launch_elementwise (launch.cuh);
// the formulas are tensor/scalar_math.h's (the CPU's too) and convert.h's.
#include "tensor/cuda/convert.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.cuh"
#include "tensor/scalar_math.h"

namespace dn::cuda {

namespace {

// Same dtype: moves elements of `Word` (the element's size) without looking at them.
template <class Word>
struct CopyWords {
  Word* dst;
  const Word* src;
  template <class Index>
  __device__ void operator()(const Index (&off)[2]) const { dst[off[0]] = src[off[1]]; }
};

// Different dtypes: through double, as the CPU converts.
struct CopyConvert {
  void* dst;
  const void* src;
  DType dst_type, src_type;
  template <class Index>
  __device__ void operator()(const Index (&off)[2]) const {
    hd::store_from_double(dst, int64_t(off[0]), dst_type,
                          hd::load_as_double(src, int64_t(off[1]), src_type));
  }
};

template <class Word>
struct FillWords {
  Word* dst;
  Word value;
  template <class Index>
  __device__ void operator()(const Index (&off)[1]) const { dst[off[0]] = value; }
};

template <class T>
struct UnaryFn {
  UnaryOp op;
  T* out;
  const T* x;
  T param;
  template <class Index>
  __device__ void operator()(const Index (&off)[2]) const {
    out[off[0]] = unary_apply<T>(op, x[off[1]], param);
  }
};

template <class T>
struct BinaryFn {
  BinaryOp op;
  T* out;
  const T* a;
  const T* b;
  template <class Index>
  __device__ void operator()(const Index (&off)[3]) const {
    out[off[0]] = binary_apply<T>(op, a[off[1]], b[off[2]]);
  }
};

template <class T>
struct CompareFn {
  CompareOp op;
  bool* out;
  const T* a;
  const T* b;
  template <class Index>
  __device__ void operator()(const Index (&off)[3]) const {
    out[off[0]] = compare_apply<T>(op, a[off[1]], b[off[2]]);
  }
};

template <class T>
struct WhereFn {
  T* out;
  const bool* cond;
  const T* a;
  const T* b;
  template <class Index>
  __device__ void operator()(const Index (&off)[4]) const {
    out[off[0]] = cond[off[1]] ? a[off[2]] : b[off[3]];
  }
};

// Calls f(Word{}) with the unsigned integer type of an element's size.
template <class F>
void dispatch_word(size_t size, const char* op, F&& f) {
  switch (size) {
    case 1: f(uint8_t{}); return;
    case 2: f(uint16_t{}); return;
    case 4: f(uint32_t{}); return;
    case 8: f(uint64_t{}); return;
  }
  fail(op, ": unexpected element size ", size);
}

}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  const char* op = "copy";
  const DeviceContext& ctx = context_of(dst, op);
  DN_CHECK(src.device() == dst.device(), op, ": ", src.describe(), " and ", dst.describe(),
           " are on different devices");
  const auto layout = make_layout<2>(op, dst.shape(), {dst.strides(), src.strides()});
  if (dst.dtype() != src.dtype()) {
    launch_elementwise(op, ctx, layout,
                       CopyConvert{dst.data_ptr(), src.data_ptr(), dst.dtype(), src.dtype()});
    return;
  }
  const size_t esize = dtype_size(dst.dtype());
  if (layout.dense()) {  // one block of memory to another
    if (layout.numel > 0)
      DN_CUDA_CHECK(op, cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), layout.numel * esize,
                                        cudaMemcpyDeviceToDevice, ctx.stream));
    return;
  }
  dispatch_word(esize, op, [&](auto word) {
    using W = decltype(word);
    launch_elementwise(op, ctx, layout, CopyWords<W>{ptr<W>(dst), ptr<const W>(src)});
  });
}

void fill(const Tensor& dst, double value) {
  const char* op = "fill";
  const DeviceContext& ctx = context_of(dst, op);
  // The stored bits of `value` in dst's dtype, converted on the host as the CPU does.
  uint64_t bits = 0;
  hd::store_from_double(&bits, 0, dst.dtype(), value);
  const auto layout = make_layout<1>(op, dst.shape(), {dst.strides()});
  const size_t esize = dtype_size(dst.dtype());
  if (layout.dense() && bits == 0) {
    if (layout.numel > 0)
      DN_CUDA_CHECK(op, cudaMemsetAsync(dst.data_ptr(), 0, layout.numel * esize, ctx.stream));
    return;
  }
  dispatch_word(esize, op, [&](auto word) {
    using W = decltype(word);
    W v;
    memcpy(&v, &bits, sizeof(W));  // the low bytes: x86 and the GPU are little-endian
    launch_elementwise(op, ctx, layout, FillWords<W>{ptr<W>(dst), v});
  });
}

void unary(UnaryOp op, const Tensor& out, const Tensor& x, double param) {
  const char* name = unary_name(op);
  const DeviceContext& ctx = context_of(out, name);
  dispatch_float(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const auto layout = make_layout<2>(name, out.shape(), {out.strides(), x.strides()});
    launch_elementwise(name, ctx, layout, UnaryFn<T>{op, ptr<T>(out), ptr<const T>(x), T(param)});
  });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  const DeviceContext& ctx = context_of(out, name);
  dispatch_float(out.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const auto layout =
        make_layout<3>(name, out.shape(), {out.strides(), a.strides(), b.strides()});
    launch_elementwise(name, ctx, layout,
                       BinaryFn<T>{op, ptr<T>(out), ptr<const T>(a), ptr<const T>(b)});
  });
}

void compare(CompareOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const char* name = compare_name(op);
  const DeviceContext& ctx = context_of(out, name);
  const auto layout =
      make_layout<3>(name, out.shape(), {out.strides(), a.strides(), b.strides()});
  auto run = [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise(name, ctx, layout,
                       CompareFn<T>{op, ptr<bool>(out), ptr<const T>(a), ptr<const T>(b)});
  };
  switch (a.dtype()) {
    case DType::f32: return run(float{});
    case DType::f64: return run(double{});
    case DType::i64: return run(int64_t{});
    case DType::i32: return run(int32_t{});
    case DType::i16: return run(int16_t{});
    case DType::i8: return run(int8_t{});
    case DType::u64: return run(uint64_t{});
    case DType::u32: return run(uint32_t{});
    case DType::u16: return run(uint16_t{});
    case DType::u8: return run(uint8_t{});
    case DType::bool_: return run(bool{});
    default: fail(name, ": dtype ", dtype_name(a.dtype()), " is not supported");
  }
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  const char* op = "where";
  const DeviceContext& ctx = context_of(out, op);
  DN_CHECK(cond.dtype() == DType::bool_, op, ": condition must be bool, got ",
           dtype_name(cond.dtype()));
  dispatch_float(out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const auto layout = make_layout<4>(op, out.shape(),
                                       {out.strides(), cond.strides(), a.strides(), b.strides()});
    launch_elementwise(op, ctx, layout,
                       WhereFn<T>{ptr<T>(out), ptr<const bool>(cond), ptr<const T>(a),
                                  ptr<const T>(b)});
  });
}

}  // namespace dn::cuda
