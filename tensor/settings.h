// Every environment variable the library reads, in one table (tensor/settings.cpp; the user's
// view: docs/settings.md). Each is read once, on first use, and checked: a value that is not
// one of the allowed ones is an error naming the variable. An unset or empty variable means
// its default. Code that wants a setting asks here, never the environment.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace dn::settings {

// One row of the table, for documentation and tests.
struct Setting {
  const char* name;     // "DN_FUSED"
  const char* allowed;  // "0|1", "a whole number"
  const char* fallback; // the default, as written in the environment
  const char* meaning;
};
const std::vector<Setting>& table();

// `value` of the variable `name` checked against its row: the default when empty, else the
// value itself when allowed (one of "a|b|c", or a whole number); otherwise an error naming the
// variable, the value and what is allowed. What every accessor below does with the environment.
std::string checked(const char* name, const std::string& value);
// Variables that are no longer read: an error saying what to use instead when one is set.
void check_retired(const char* name, const std::string& value);

// DN_FUSED: whether differentiable ops may use fused kernels (autograd/fused.h).
bool fused_kernels();

// DN_CPU_MATMUL: the CPU's float32 matrix products (tensor/cpu/matmul.cpp, matmul_bf16.h).
//   automatic: the best own sgemm the build has (AVX-512, else AVX2), else Eigen
//   own:       the best own sgemm (an error when the build has none)
//   eigen:     Eigen's kernels
//   bf16:      as automatic, and the Linear layers' products with bfloat16 inputs on AMX,
//              else AVX512-BF16, where the processor has one (float32 where it has neither)
//   bf16_encoder ("bf16-encoder"): as bf16, for the products of the frozen encoder alone
enum class CpuMatmul { automatic, own, eigen, bf16, bf16_encoder };
CpuMatmul cpu_matmul();

// DN_CPU_CACHE: whether freed CPU tensor memory of 64 KiB and more is kept for reuse
// (tensor/cpu_cache.h).
bool cpu_cache();

// DN_CUDA_MATMUL: the initial float32 matrix-product precision on CUDA (cuda_backend.h).
enum class CudaMatmul { fp32, tf32, bf16 };
CudaMatmul cuda_matmul();

// DN_CUDA_SYNC: wait after every CUDA kernel, so a fault names the op that caused it.
bool cuda_sync();

// DN_CUDA_MEMORY_LIMIT_MB: the CUDA allocator's initial cap per device, in bytes (0: none).
size_t cuda_memory_limit_bytes();

// The OpenMP runtime's own variables, read here too so that this file stays the only one that
// reads the environment: how waiting threads behave as the environment sets it
// (OMP_WAIT_POLICY's value, "GOMP_SPINCOUNT" when only libgomp's spin count is set, or "" when
// neither is: the apps then choose passive waits, apps/lib/cli.cpp).
std::string openmp_wait_policy();

}  // namespace dn::settings
