// bench_gelu: elements per second of the CPU's float32 GELU kernels (tensor/cpu/vector_math.h)
// and of the plain formula (tensor/scalar_math.h, libm's erff per element), in one run.
//
// The rows are those of a ViT-S MLP activation at batch 8 ([2088, 1536] floats, 12.8 MB, out of
// cache as in training), shared out over the threads by rows as bias_gelu.cpp does. Each kernel
// is timed `rounds` times, interleaved, and the median is reported.
//
//   bench_gelu [--threads N] [--rounds 9]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tensor/cpu/vector_math.h"
#include "tensor/scalar_math.h"

namespace {

constexpr int64_t kRows = 2088, kCols = 1536;

using RowKernel = void (*)(float*, const float*, int64_t);

void formula_gelu(float* out, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = dn::unary_apply<float>(dn::UnaryOp::gelu, x[i], 0.0f);
}
void formula_gelu_grad(float* out, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = dn::unary_apply<float>(dn::UnaryOp::gelu_grad_factor, x[i], 0.0f);
}
void vector_gelu(float* out, const float* x, int64_t n) { dn::cpu::vec::gelu(out, x, n); }
void vector_gelu_grad(float* out, const float* x, int64_t n) {
  dn::cpu::vec::gelu_grad_factor(out, x, n);
}

double seconds_of(RowKernel f, float* out, const float* x) {
  const auto start = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < kRows; ++r) f(out + r * kCols, x + r * kCols, kCols);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int threads = omp_get_max_threads(), rounds = 9;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--threads" || a == "--rounds") && i + 1 < argc) {
      const int v = std::atoi(argv[++i]);
      if (v <= 0) {
        std::fprintf(stderr, "bench_gelu: %s needs a positive number\n", a.c_str());
        return 2;
      }
      (a == "--threads" ? threads : rounds) = v;
    } else {
      std::fprintf(stderr, "bench_gelu: unknown option %s (use --threads N, --rounds N)\n", a.c_str());
      return 2;
    }
  }
  omp_set_num_threads(threads);
  std::vector<float> x(kRows * kCols), out(x.size());
  uint32_t state = 12345;  // activations spread over [-6, 6], as before a GELU
  for (float& v : x) {
    state = state * 1664525u + 1013904223u;
    v = float(state >> 8) / float(1 << 24) * 12.0f - 6.0f;
  }
  struct Kernel {
    const char* name;
    RowKernel f;
    std::vector<double> times;
  };
  std::vector<Kernel> kernels = {{"gelu, vectorised", vector_gelu, {}},
                                 {"gelu derivative, vectorised", vector_gelu_grad, {}},
                                 {"gelu, formula table (erff)", formula_gelu, {}},
                                 {"gelu derivative, formula table", formula_gelu_grad, {}}};
  for (Kernel& k : kernels) seconds_of(k.f, out.data(), x.data());  // warm-up
  for (int r = 0; r < rounds; ++r)
    for (Kernel& k : kernels) k.times.push_back(seconds_of(k.f, out.data(), x.data()));
  std::printf("bench_gelu: [%lld, %lld] floats, %d threads, median of %d rounds\n",
              (long long)kRows, (long long)kCols, threads, rounds);
  for (Kernel& k : kernels) {
    std::sort(k.times.begin(), k.times.end());
    const double t = k.times[k.times.size() / 2];
    std::printf("  %-32s %8.1f M elements/s  (%.2f ms)\n", k.name, double(kRows * kCols) / t / 1e6,
                t * 1e3);
  }
  return 0;
}
