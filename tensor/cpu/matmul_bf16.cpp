// bfloat16 products on AMX (see matmul_bf16.h), the precision setting, and the choice between
// this kernel and the AVX512-BF16 one (matmul_bf16_avx512.cpp).
//
// The AMX unit multiplies tiles held in eight tile registers of 16 rows × 64 bytes:
//   C (16×16 float32) += A (16 rows × 32 bf16 along k) · B (16 pairs of k × 16 columns)
// in one instruction (TDPBF16PS), 16·16·32 multiply-adds. B must be in "VNNI" order: row p
// of its tile holds, for each of the 16 columns j, the two bf16 values B(2p, j), B(2p+1, j)
// side by side. So both operands are first packed, converted to bf16 (rounded to nearest
// even), into whole tiles, zero-padded where m, n or k do not fill one:
//   A: tile (ib, kb) = rows 16·ib.., k 32·kb..;   B: tile (jb, kb) = columns 16·jb.., k 32·kb..
// An operand that is a transposed view is packed with 16×16 transposes of 32-bit pairs.
// Then each thread computes 32×32 blocks of C as 2×2 tiles (four accumulators, two A and two
// B tiles: the eight registers), running along k. B is walked in column chunks that fit in
// the L2 cache, and every thread goes over all row blocks for each chunk.
//
// The instructions are enabled for this file only (target pragma), so a build for a processor
// without them still compiles; amx_bf16_available() asks cpuid and the kernel before use.
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512bf16,amx-tile,amx-bf16")
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 in its own AVX-512 headers
#pragma GCC diagnostic ignored "-Wuninitialized"  // the same: its _mm512_undefined_epi32 in unpack
#include "tensor/cpu/matmul_bf16.h"

#include <cpuid.h>
#include <immintrin.h>
#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "tensor/error.h"
#include "tensor/settings.h"

namespace dn::cpu {

namespace {

constexpr int64_t kRows = 16;      // rows of an A or C tile, columns of a B or C tile
constexpr int64_t kDepth = 32;     // k per tile (bf16)
constexpr int64_t kTile = 16 * 32; // bf16 elements in an A or B tile (1 KB)

bool ask_for_amx() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool tile = d & (1u << 24), bf16 = d & (1u << 22);
  if (!tile || !bf16) return false;
  // Linux hands out the tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM for
  // XFEATURE_XTILEDATA), once per process.
  constexpr long kReqXcompPerm = 0x1023, kXtileData = 18;
  return syscall(SYS_arch_prctl, kReqXcompPerm, kXtileData) == 0;
}

// DN_CPU_MATMUL's bf16 choices, where this processor has a bf16 kernel; float32 otherwise.
MatmulPrecision initial_precision() {
  if (std::strcmp(bf16_matmul_kernel(), "none") == 0) return MatmulPrecision::fp32;
  switch (settings::cpu_matmul()) {
    case settings::CpuMatmul::bf16: return MatmulPrecision::bf16;
    case settings::CpuMatmul::bf16_encoder: return MatmulPrecision::bf16_encoder;
    default: return MatmulPrecision::fp32;
  }
}

thread_local int frozen_encoder_depth = 0;

std::atomic<MatmulPrecision>& precision_setting() {
  static std::atomic<MatmulPrecision> p{initial_precision()};
  return p;
}

// Every tile register 16 rows × 64 bytes; loaded once per thread before tile instructions.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

void configure_tiles() {
  TileConfig c;
  for (int t = 0; t < 8; ++t) {
    c.rows[t] = 16;
    c.bytes_per_row[t] = 64;
  }
  _tile_loadconfig(&c);
}

// 16 float32 → 16 bf16 in the low 16 bits of each 32-bit lane
inline __m512i to_bf16_lanes(__m512 v) {
  return _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(v));
}

// Pairs (lo[i], hi[i]) of bf16 in each 32-bit lane, from two rows of 16 float32
inline __m512i pack_pairs(__m512 lo, __m512 hi) {
  return _mm512_or_si512(to_bf16_lanes(lo), _mm512_slli_epi32(to_bf16_lanes(hi), 16));
}

inline __m512 load16(const float* p, int64_t stride, int64_t count) {
  if (stride == 1) return _mm512_maskz_loadu_ps(__mmask16((1u << count) - 1), p);
  alignas(64) float v[16] = {};
  for (int64_t i = 0; i < count; ++i) v[i] = p[i * stride];
  return _mm512_load_ps(v);
}

// Transposes a 16×16 matrix of 32-bit lanes held as 16 rows.
void transpose16(__m512i r[16]) {
  __m512i t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      t[8 * i + j] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + 4 + j], 0x88);
      t[8 * i + 4 + j] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + 4 + j], 0xdd);
    }
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88);
    r[8 + j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd);
  }
}

// A strided float32 matrix view: element (r, c) at p[r·rs + c·cs].
struct View {
  const float* p;
  int64_t rows, cols, rs, cs;
  float at(int64_t r, int64_t c) const { return p[r * rs + c * cs]; }
};

// The A tile of rows r0.., k k0..: row i = A(r0+i, k0..k0+31) as 32 bf16.
void pack_a_tile(const View& a, int64_t r0, int64_t k0, uint16_t* dst) {
  const int64_t rows = std::min(kRows, a.rows - r0), ks = std::min(kDepth, a.cols - k0);
  __m512i out[16];
  if (rows <= 0) {  // a padding block past the last row
    std::memset(dst, 0, kTile * sizeof(uint16_t));
    return;
  }
  if (a.cs == 1) {  // rows of A contiguous along k
    for (int64_t i = 0; i < 16; ++i) {
      if (i >= rows) {
        out[i] = _mm512_setzero_si512();
        continue;
      }
      const float* row = a.p + (r0 + i) * a.rs + k0;
      const __m512 lo = load16(row, 1, std::min<int64_t>(16, ks));
      const __m512 hi = ks > 16 ? load16(row + 16, 1, ks - 16) : _mm512_setzero_ps();
      out[i] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
    }
  } else {  // columns of A contiguous along the rows: pairs of k, then transpose
    for (int64_t p = 0; p < 16; ++p) {
      const int64_t k = k0 + 2 * p;
      const __m512 lo = 2 * p < ks ? load16(a.p + r0 * a.rs + k * a.cs, a.rs, rows) : _mm512_setzero_ps();
      const __m512 hi = 2 * p + 1 < ks ? load16(a.p + r0 * a.rs + (k + 1) * a.cs, a.rs, rows) : _mm512_setzero_ps();
      out[p] = pack_pairs(lo, hi);  // lane i: (A(r0+i, k), A(r0+i, k+1))
    }
    transpose16(out);
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_si512(dst + i * 32, out[i]);
}

// The B tile of columns c0.., k k0.., in VNNI order: row p = (B(k0+2p, c0+j), B(k0+2p+1, c0+j)).
void pack_b_tile(const View& b, int64_t c0, int64_t k0, uint16_t* dst) {
  const int64_t cols = std::min(kRows, b.cols - c0), ks = std::min(kDepth, b.rows - k0);
  __m512i out[16];
  if (cols <= 0) {  // a padding block past the last column
    std::memset(dst, 0, kTile * sizeof(uint16_t));
    return;
  }
  if (b.cs == 1) {  // rows of B contiguous along the columns
    for (int64_t p = 0; p < 16; ++p) {
      const int64_t k = k0 + 2 * p;
      const __m512 lo = 2 * p < ks ? load16(b.p + k * b.rs + c0, 1, cols) : _mm512_setzero_ps();
      const __m512 hi = 2 * p + 1 < ks ? load16(b.p + (k + 1) * b.rs + c0, 1, cols) : _mm512_setzero_ps();
      out[p] = pack_pairs(lo, hi);
    }
  } else {  // columns of B contiguous along k: 32 k of a column are 16 pairs, then transpose
    for (int64_t j = 0; j < 16; ++j) {
      if (j >= cols) {
        out[j] = _mm512_setzero_si512();
        continue;
      }
      const float* col = b.p + (c0 + j) * b.cs + k0 * b.rs;
      const __m512 lo = load16(col, b.rs, std::min<int64_t>(16, ks));
      const __m512 hi = ks > 16 ? load16(col + 16 * b.rs, b.rs, ks - 16) : _mm512_setzero_ps();
      out[j] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // lane p: (B(k0+2p, c0+j), B(k0+2p+1, c0+j))
    }
    transpose16(out);
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_si512(dst + i * 32, out[i]);
}

// Stores an accumulator tile to C rows r0.., columns c0.., clipped to m × n; store(p, bytes)
// writes the tile at p with rows `bytes` apart (the tile number must be a literal there).
template <class Store>
void store_tile(float* c, int64_t ldc, int64_t m, int64_t n, int64_t r0, int64_t c0, Store&& store) {
  if (r0 >= m || c0 >= n) return;
  if (r0 + 16 <= m && c0 + 16 <= n) {
    store(c + r0 * ldc + c0, ldc * int64_t(sizeof(float)));
    return;
  }
  alignas(64) float tmp[16 * 16];
  store(tmp, 64);
  for (int64_t i = 0; i < std::min<int64_t>(16, m - r0); ++i)
    std::memcpy(c + (r0 + i) * ldc + c0, tmp + i * 16, sizeof(float) * size_t(std::min<int64_t>(16, n - c0)));
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

}  // namespace

bool amx_bf16_available() {
  static const bool available = ask_for_amx();
  return available;
}

const char* bf16_matmul_kernel() {
  return amx_bf16_available() ? "AMX" : avx512_bf16_available() ? "AVX512-BF16" : "none";
}

void set_matmul_precision(MatmulPrecision precision) {
  DN_CHECK(precision == MatmulPrecision::fp32 || std::strcmp(bf16_matmul_kernel(), "none") != 0,
           "matmul precision bf16: this CPU offers neither AMX with bfloat16 (Intel Xeon Sapphire "
           "Rapids or newer, Linux 5.16 or newer) nor AVX512-BF16 (AMD Zen 4 or newer, Intel Xeon "
           "Cooper Lake or newer)");
  precision_setting().store(precision);
}

MatmulPrecision matmul_precision() { return precision_setting().load(); }

FrozenEncoderScope::FrozenEncoderScope() { ++frozen_encoder_depth; }
FrozenEncoderScope::~FrozenEncoderScope() { --frozen_encoder_depth; }
bool in_frozen_encoder() { return frozen_encoder_depth > 0; }

bool linear_products_in_bf16() {
  switch (matmul_precision()) {
    case MatmulPrecision::bf16: return true;
    case MatmulPrecision::bf16_encoder: return in_frozen_encoder();
    default: return false;
  }
}

void matmul_bf16(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (amx_bf16_available()) return matmul_bf16_amx(out, a, b);
  DN_CHECK(avx512_bf16_available(), "matmul_bf16: this CPU has neither AMX with bfloat16 nor AVX512-BF16");
  matmul_bf16_avx512(out, a, b);
}

void matmul_bf16_amx(const Tensor& out, const Tensor& a_t, const Tensor& b_t) {
  DN_CHECK(amx_bf16_available(), "matmul_bf16_amx: AMX with bfloat16 is not available here");
  const int64_t m = a_t.size(0), k = a_t.size(1), n = b_t.size(1);
  float* c = out.data<float>();
  if (k == 0) {
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  const View a{a_t.data<float>(), m, k, a_t.stride(0), a_t.stride(1)};
  const View b{b_t.data<float>(), k, n, b_t.stride(0), b_t.stride(1)};
  // Tiles: row blocks and column blocks rounded up to pairs (the 2×2 kernel), k blocks.
  const int64_t row_blocks = (m + 31) / 32 * 2, col_blocks = (n + 31) / 32 * 2, kb = (k + kDepth - 1) / kDepth;
  std::unique_ptr<uint16_t, AlignedFree> pa(
      static_cast<uint16_t*>(std::aligned_alloc(64, size_t(row_blocks * kb * kTile) * 2)));
  std::unique_ptr<uint16_t, AlignedFree> pb(
      static_cast<uint16_t*>(std::aligned_alloc(64, size_t(col_blocks * kb * kTile) * 2)));
  DN_CHECK(pa && pb, "matmul_bf16: out of memory for the packed operands");
  uint16_t* A = pa.get();
  uint16_t* B = pb.get();
  // Column pairs per chunk: the chunk of packed B (2 tiles × kb per pair) stays under ~512 KB.
  const int64_t pairs_per_chunk = std::max<int64_t>(1, (512 * 1024) / (2 * kb * kTile * 2));
  const int64_t row_pairs = row_blocks / 2, col_pairs = col_blocks / 2;
  const int64_t work = m * n * k;
  const int threads = work >= (1 << 22) && !omp_in_parallel() ? omp_get_max_threads() : 1;

#pragma omp parallel num_threads(threads)
  {
    configure_tiles();
#pragma omp for schedule(static) nowait
    for (int64_t t = 0; t < col_blocks * kb; ++t) pack_b_tile(b, (t / kb) * kRows, (t % kb) * kDepth, B + t * kTile);
#pragma omp for schedule(static)
    for (int64_t t = 0; t < row_blocks * kb; ++t) pack_a_tile(a, (t / kb) * kRows, (t % kb) * kDepth, A + t * kTile);
    for (int64_t cp0 = 0; cp0 < col_pairs; cp0 += pairs_per_chunk) {
      const int64_t cp1 = std::min(col_pairs, cp0 + pairs_per_chunk);
#pragma omp for schedule(dynamic, 1) nowait
      for (int64_t rp = 0; rp < row_pairs; ++rp) {
        const uint16_t* a0 = A + (2 * rp) * kb * kTile;
        const uint16_t* a1 = a0 + kb * kTile;
        for (int64_t cp = cp0; cp < cp1; ++cp) {
          const uint16_t* b0 = B + (2 * cp) * kb * kTile;
          const uint16_t* b1 = b0 + kb * kTile;
          _tile_zero(0);
          _tile_zero(1);
          _tile_zero(2);
          _tile_zero(3);
          for (int64_t q = 0; q < kb; ++q) {
            _tile_loadd(4, a0 + q * kTile, 64);
            _tile_loadd(5, a1 + q * kTile, 64);
            _tile_loadd(6, b0 + q * kTile, 64);
            _tile_loadd(7, b1 + q * kTile, 64);
            _tile_dpbf16ps(0, 4, 6);
            _tile_dpbf16ps(1, 4, 7);
            _tile_dpbf16ps(2, 5, 6);
            _tile_dpbf16ps(3, 5, 7);
          }
          const int64_t r0 = 32 * rp, c0 = 32 * cp;
          store_tile(c, n, m, n, r0, c0, [](float* p, int64_t s) { _tile_stored(0, p, s); });
          store_tile(c, n, m, n, r0, c0 + 16, [](float* p, int64_t s) { _tile_stored(1, p, s); });
          store_tile(c, n, m, n, r0 + 16, c0, [](float* p, int64_t s) { _tile_stored(2, p, s); });
          store_tile(c, n, m, n, r0 + 16, c0 + 16, [](float* p, int64_t s) { _tile_stored(3, p, s); });
        }
      }
    }
    _tile_release();
  }
}

}  // namespace dn::cpu
