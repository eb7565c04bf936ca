#include "tensor/dtype.h"

#include <cmath>
#include <cstring>

#include "tensor/error.h"

namespace dn {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::f64: case DType::i64: case DType::u64: return 8;
    case DType::f32: case DType::i32: case DType::u32: return 4;
    case DType::f16: case DType::bf16: case DType::i16: case DType::u16: return 2;
    case DType::f8_e4m3: case DType::f8_e5m2: case DType::i8: case DType::u8:
    case DType::bool_: return 1;
  }
  fail("dtype_size: unknown dtype ", int(t));
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::f16: return "float16";
    case DType::bf16: return "bfloat16";
    case DType::f8_e4m3: return "float8_e4m3";
    case DType::f8_e5m2: return "float8_e5m2";
    case DType::i64: return "int64";
    case DType::i32: return "int32";
    case DType::i16: return "int16";
    case DType::i8: return "int8";
    case DType::u64: return "uint64";
    case DType::u32: return "uint32";
    case DType::u16: return "uint16";
    case DType::u8: return "uint8";
    case DType::bool_: return "bool";
  }
  return "unknown";
}

bool is_floating(DType t) {
  return t == DType::f32 || t == DType::f64 || t == DType::f16 || t == DType::bf16 ||
         t == DType::f8_e4m3 || t == DType::f8_e5m2;
}

bool is_math_dtype(DType t) { return t == DType::f32 || t == DType::f64; }

static uint32_t bits_of(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static float float_of(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0x1f) return float_of(sign | 0x7f800000u | (man << 13));  // inf / nan
  if (exp == 0) {                                                      // zero / subnormal
    float v = std::ldexp(float(man), -24);
    return sign ? -v : v;
  }
  return float_of(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t float_to_half(float f) {
  uint32_t u = bits_of(f), sign = (u >> 16) & 0x8000;
  float a = std::fabs(f);
  if (std::isnan(f)) return uint16_t(sign | 0x7e00);
  if (a >= 65520.0f) return uint16_t(sign | 0x7c00);  // rounds to infinity
  if (a < 6.103515625e-05f) {                          // subnormal half: multiples of 2^-24
    return uint16_t(sign | uint16_t(std::nearbyint(a * 16777216.0f)));
  }
  uint32_t mant = u & 0x7fffff, exp = ((u >> 23) & 0xff) - 112;
  uint32_t half = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;  // round to nearest even on the 13 dropped bits
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half += 1;
  return uint16_t(sign | half);
}

float bfloat16_to_float(uint16_t b) { return float_of(uint32_t(b) << 16); }

uint16_t float_to_bfloat16(float f) {
  uint32_t u = bits_of(f);
  if (std::isnan(f)) return uint16_t((u >> 16) | 0x40);
  u += 0x7fff + ((u >> 16) & 1);  // round to nearest even
  return uint16_t(u >> 16);
}

// float8: e4m3 (bias 7, no infinity, 0x7f/0xff is nan) and e5m2 (bias 15, IEEE-like).
float fp8_e4m3_to_float(uint8_t v) {
  int sign = v >> 7, exp = (v >> 3) & 0xf, man = v & 7;
  if (exp == 0xf && man == 7) return NAN;
  float r = exp == 0 ? std::ldexp(float(man), -9) : std::ldexp(1.0f + man / 8.0f, exp - 7);
  return sign ? -r : r;
}

float fp8_e5m2_to_float(uint8_t v) { return half_to_float(uint16_t(v) << 8); }

static uint8_t encode_fp8(float f, int man_bits, float max_finite, bool has_inf) {
  uint8_t sign = std::signbit(f) ? 0x80 : 0;
  if (std::isnan(f)) return uint8_t(sign | (has_inf ? 0x7e : 0x7f));
  float a = std::fabs(f);
  if (a > max_finite) return has_inf ? uint8_t(sign | 0x7c) : uint8_t(sign | 0x7e);
  // Find the representable neighbour by brute force over the 128 codes: simple and exact.
  uint8_t best = 0;
  float best_err = INFINITY;
  for (int code = 0; code < 128; ++code) {
    float v = man_bits == 3 ? fp8_e4m3_to_float(uint8_t(code)) : fp8_e5m2_to_float(uint8_t(code));
    if (!std::isfinite(v)) continue;
    float err = std::fabs(v - a);
    if (err < best_err || (err == best_err && (code & 1) == 0)) { best_err = err; best = uint8_t(code); }
  }
  return uint8_t(sign | best);
}

uint8_t float_to_fp8_e4m3(float f) { return encode_fp8(f, 3, 448.0f, false); }
uint8_t float_to_fp8_e5m2(float f) { return encode_fp8(f, 2, 57344.0f, true); }

}  // namespace dn
