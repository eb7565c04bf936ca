// Turning a runtime DType into a C++ type for the CPU kernels.
//
//   dispatch_float(t, "softmax", [&](auto tag) { using T = decltype(tag); ... });
//
// calls the lambda with a value of type float or double; any other dtype throws, naming the
// op. dispatch_any covers every dtype, with small wrapper types for the 16- and 8-bit floats.
#pragma once
#include <cstdint>

#include "tensor/dtype.h"
#include "tensor/error.h"

namespace dn::cpu {

struct Half { uint16_t bits; };
struct BFloat16 { uint16_t bits; };
struct Fp8E4M3 { uint8_t bits; };
struct Fp8E5M2 { uint8_t bits; };

// Every stored type converts to and from double (bool: 0/1) for dtype conversion.
template <class T> inline double to_double(T v) { return double(v); }
inline double to_double(Half v) { return half_to_float(v.bits); }
inline double to_double(BFloat16 v) { return bfloat16_to_float(v.bits); }
inline double to_double(Fp8E4M3 v) { return fp8_e4m3_to_float(v.bits); }
inline double to_double(Fp8E5M2 v) { return fp8_e5m2_to_float(v.bits); }

template <class T> inline T from_double(double v) { return T(v); }
template <> inline bool from_double<bool>(double v) { return v != 0; }
template <> inline Half from_double<Half>(double v) { return {float_to_half(float(v))}; }
template <> inline BFloat16 from_double<BFloat16>(double v) { return {float_to_bfloat16(float(v))}; }
template <> inline Fp8E4M3 from_double<Fp8E4M3>(double v) { return {float_to_fp8_e4m3(float(v))}; }
template <> inline Fp8E5M2 from_double<Fp8E5M2>(double v) { return {float_to_fp8_e5m2(float(v))}; }

template <class F>
void dispatch_float(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    default: fail(op, ": dtype ", dtype_name(t), " is not supported (float32 or float64 expected)");
  }
}

template <class F>
void dispatch_any(DType t, F&& f) {
  switch (t) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    case DType::f16: f(Half{}); return;
    case DType::bf16: f(BFloat16{}); return;
    case DType::f8_e4m3: f(Fp8E4M3{}); return;
    case DType::f8_e5m2: f(Fp8E5M2{}); return;
    case DType::i64: f(int64_t{}); return;
    case DType::i32: f(int32_t{}); return;
    case DType::i16: f(int16_t{}); return;
    case DType::i8: f(int8_t{}); return;
    case DType::u64: f(uint64_t{}); return;
    case DType::u32: f(uint32_t{}); return;
    case DType::u16: f(uint16_t{}); return;
    case DType::u8: f(uint8_t{}); return;
    case DType::bool_: f(bool{}); return;
  }
  fail("dispatch: unknown dtype ", int(t));
}

}  // namespace dn::cpu
