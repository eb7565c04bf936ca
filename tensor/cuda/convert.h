// Reading and writing one element of any dtype through double, for the copy kernel (dtype
// conversion) and fill. Mirrors tensor/cpu/dispatch.h (to_double/from_double) and the bit
// conversions of tensor/dtype.cpp, so a conversion on the GPU gives the CPU's bits.
#pragma once
#include "tensor/cuda/hd.h"
#include "tensor/dtype.h"

namespace dn::cuda::hd {

DN_HD float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0x1f) return float_of(sign | 0x7f800000u | (man << 13));
  if (exp == 0) {
    float v = ::ldexpf(float(man), -24);
    return sign ? -v : v;
  }
  return float_of(sign | ((exp + 112) << 23) | (man << 13));
}

DN_HD uint16_t float_to_half(float f) {
  uint32_t u = bits_of(f), sign = (u >> 16) & 0x8000;
  float a = ::fabsf(f);
  if (is_nan(f)) return uint16_t(sign | 0x7e00);
  if (a >= 65520.0f) return uint16_t(sign | 0x7c00);
  if (a < 6.103515625e-05f) return uint16_t(sign | uint16_t(::rintf(a * 16777216.0f)));
  uint32_t mant = u & 0x7fffff, exp = ((u >> 23) & 0xff) - 112;
  uint32_t half = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half += 1;
  return uint16_t(sign | half);
}

DN_HD float bfloat16_to_float(uint16_t b) { return float_of(uint32_t(b) << 16); }

DN_HD uint16_t float_to_bfloat16(float f) {
  uint32_t u = bits_of(f);
  if (is_nan(f)) return uint16_t((u >> 16) | 0x40);
  u += 0x7fff + ((u >> 16) & 1);
  return uint16_t(u >> 16);
}

DN_HD float fp8_e4m3_to_float(uint8_t v) {
  int sign = v >> 7, exp = (v >> 3) & 0xf, man = v & 7;
  if (exp == 0xf && man == 7) return float_of(0x7fc00000u);
  float r = exp == 0 ? ::ldexpf(float(man), -9) : ::ldexpf(1.0f + man / 8.0f, exp - 7);
  return sign ? -r : r;
}

DN_HD float fp8_e5m2_to_float(uint8_t v) { return half_to_float(uint16_t(uint16_t(v) << 8)); }

// As dtype.cpp: the nearest of the 128 codes by brute force (ties to the even code).
DN_HD uint8_t encode_fp8(float f, bool e4m3) {
  const float max_finite = e4m3 ? 448.0f : 57344.0f;
  uint8_t sign = (bits_of(f) >> 31) ? 0x80 : 0;
  if (is_nan(f)) return uint8_t(sign | (e4m3 ? 0x7f : 0x7e));
  float a = ::fabsf(f);
  if (a > max_finite) return e4m3 ? uint8_t(sign | 0x7e) : uint8_t(sign | 0x7c);
  uint8_t best = 0;
  float best_err = float_of(0x7f800000u);
  for (int code = 0; code < 128; ++code) {
    float v = e4m3 ? fp8_e4m3_to_float(uint8_t(code)) : fp8_e5m2_to_float(uint8_t(code));
    if (is_nan(v) || ::fabsf(v) == float_of(0x7f800000u)) continue;
    float err = ::fabsf(v - a);
    if (err < best_err || (err == best_err && (code & 1) == 0)) {
      best_err = err;
      best = uint8_t(code);
    }
  }
  return uint8_t(sign | best);
}

// Element `i` of the array at `base` holding `t`, as double (bool: 0 or 1).
DN_HD double load_as_double(const void* base, int64_t i, DType t) {
  switch (t) {
    case DType::f32: return static_cast<const float*>(base)[i];
    case DType::f64: return static_cast<const double*>(base)[i];
    case DType::f16: return half_to_float(static_cast<const uint16_t*>(base)[i]);
    case DType::bf16: return bfloat16_to_float(static_cast<const uint16_t*>(base)[i]);
    case DType::f8_e4m3: return fp8_e4m3_to_float(static_cast<const uint8_t*>(base)[i]);
    case DType::f8_e5m2: return fp8_e5m2_to_float(static_cast<const uint8_t*>(base)[i]);
    case DType::i64: return double(static_cast<const int64_t*>(base)[i]);
    case DType::i32: return static_cast<const int32_t*>(base)[i];
    case DType::i16: return static_cast<const int16_t*>(base)[i];
    case DType::i8: return static_cast<const int8_t*>(base)[i];
    case DType::u64: return double(static_cast<const uint64_t*>(base)[i]);
    case DType::u32: return static_cast<const uint32_t*>(base)[i];
    case DType::u16: return static_cast<const uint16_t*>(base)[i];
    case DType::u8: return static_cast<const uint8_t*>(base)[i];
    case DType::bool_: return static_cast<const bool*>(base)[i] ? 1.0 : 0.0;
  }
  return 0;
}

// Stores v, converted to `t` as the CPU's from_double does, at element `i` of `base`.
DN_HD void store_from_double(void* base, int64_t i, DType t, double v) {
  switch (t) {
    case DType::f32: static_cast<float*>(base)[i] = float(v); return;
    case DType::f64: static_cast<double*>(base)[i] = v; return;
    case DType::f16: static_cast<uint16_t*>(base)[i] = float_to_half(float(v)); return;
    case DType::bf16: static_cast<uint16_t*>(base)[i] = float_to_bfloat16(float(v)); return;
    case DType::f8_e4m3: static_cast<uint8_t*>(base)[i] = encode_fp8(float(v), true); return;
    case DType::f8_e5m2: static_cast<uint8_t*>(base)[i] = encode_fp8(float(v), false); return;
    case DType::i64: static_cast<int64_t*>(base)[i] = int64_t(v); return;
    case DType::i32: static_cast<int32_t*>(base)[i] = int32_t(v); return;
    case DType::i16: static_cast<int16_t*>(base)[i] = int16_t(v); return;
    case DType::i8: static_cast<int8_t*>(base)[i] = int8_t(v); return;
    case DType::u64: static_cast<uint64_t*>(base)[i] = uint64_t(v); return;
    case DType::u32: static_cast<uint32_t*>(base)[i] = uint32_t(v); return;
    case DType::u16: static_cast<uint16_t*>(base)[i] = uint16_t(v); return;
    case DType::u8: static_cast<uint8_t*>(base)[i] = uint8_t(v); return;
    case DType::bool_: static_cast<bool*>(base)[i] = v != 0; return;
  }
}

}  // namespace dn::cuda::hd
