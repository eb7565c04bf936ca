// Element types. Math runs in float32 and float64; the integer and bool types hold indices
// and masks; float16, bfloat16 and float8 exist so that checkpoints holding them can be
// read and converted (to(dtype)), not for arithmetic on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace dn {

enum class DType : uint8_t {
  f32, f64, f16, bf16, f8_e4m3, f8_e5m2,
  i64, i32, i16, i8, u64, u32, u16, u8, bool_,
};

constexpr DType kFloat32 = DType::f32;
constexpr DType kFloat64 = DType::f64;
constexpr DType kInt64 = DType::i64;
constexpr DType kBool = DType::bool_;

size_t dtype_size(DType t);
const char* dtype_name(DType t);   // "float32", "int64", ...
bool is_floating(DType t);         // f32, f64, f16, bf16, f8
bool is_math_dtype(DType t);       // f32 or f64: the types every op computes in

// The C++ type stored for a dtype (bool is stored as one byte holding 0 or 1).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<int16_t>() { return DType::i16; }
template <> constexpr DType dtype_of<int8_t>() { return DType::i8; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::u64; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::u32; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::u16; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::u8; }
template <> constexpr DType dtype_of<bool>() { return DType::bool_; }

// Scalar conversions for the 16- and 8-bit float formats (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bfloat16_to_float(uint16_t b);
uint16_t float_to_bfloat16(float f);
float fp8_e4m3_to_float(uint8_t v);
float fp8_e5m2_to_float(uint8_t v);
uint8_t float_to_fp8_e4m3(float f);
uint8_t float_to_fp8_e5m2(float f);

}  // namespace dn
