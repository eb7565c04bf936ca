// The one place the library reads its environment (tensor/settings.h). Each setting is parsed
// on first use into a function-local static, so a bad value fails the first op that needs
// it, naming the variable, its value and what is allowed.
#include "tensor/settings.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "tensor/error.h"

namespace dn::settings {

namespace {
constexpr const char* kWholeNumber = "a whole number";
}

const std::vector<Setting>& table() {
  static const std::vector<Setting> rows = {
      {"DN_FUSED", "0|1", "1",
       "1: differentiable ops use fused kernels where the tensor's backend has them (the CPU); "
       "0: always their composite of simpler ops (for benchmarks and comparisons)"},
      {"DN_CPU_MATMUL", "auto|own|eigen|bf16|bf16-encoder", "auto",
       "float32 matrix products on the CPU. auto: the project's own sgemm (AVX-512, else AVX2) "
       "when the build has one, else Eigen; own: the own sgemm (an error without one); eigen: "
       "Eigen's; bf16: as auto, plus the Linear layers' products with bfloat16 inputs on AMX, "
       "else AVX512-BF16, where the processor has one (float32 where it has neither); "
       "bf16-encoder: as bf16 for the frozen encoder's products only (the trainable bottleneck "
       "and decoder stay float32)"},
      {"DN_CPU_CACHE", "0|1", "1",
       "1: CPU tensor memory of 64 KiB and more is kept when freed and reused for the next "
       "tensor of its size class (no fresh pages, so no page faults, after a training loop's "
       "first step); 0: every tensor gets fresh memory from the system"},
      {"DN_CUDA_MATMUL", "fp32|tf32|bf16", "fp32",
       "float32 matrix products on CUDA: full float32, TF32 tensor cores, or bfloat16 inputs "
       "with float32 accumulation"},
      {"DN_CUDA_SYNC", "0|1", "0",
       "1: wait after every CUDA kernel, so an asynchronous fault is reported by its op"},
      {"DN_CUDA_MEMORY_LIMIT_MB", kWholeNumber, "0",
       "cap on the memory the CUDA allocator reserves per device, in MiB (0: the card's size)"},
  };
  return rows;
}

namespace {

// The variable's value, or "" when unset.
std::string value_of(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

const Setting& row(const char* name) {
  for (const Setting& s : table())
    if (std::strcmp(s.name, name) == 0) return s;
  fail("settings: ", name, " is not in the table");
}

// "a|b|c" -> {"a", "b", "c"}
std::vector<std::string> choices_of(const std::string& allowed) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t bar; (bar = allowed.find('|', start)) != std::string::npos; start = bar + 1)
    out.push_back(allowed.substr(start, bar - start));
  out.push_back(allowed.substr(start));
  return out;
}

// The variable's value checked, as the index of its choice (row(name).allowed is "a|b|c").
size_t choice(const char* name) {
  const std::string v = checked(name, value_of(name));
  const std::vector<std::string> choices = choices_of(row(name).allowed);
  return size_t(std::find(choices.begin(), choices.end(), v) - choices.begin());
}

}  // namespace

std::string checked(const char* name, const std::string& value) {
  const Setting& s = row(name);
  if (value.empty()) return s.fallback;
  const std::string allowed = s.allowed;
  if (allowed == kWholeNumber) {
    const bool digits = value.find_first_not_of("0123456789") == std::string::npos;
    DN_CHECK(digits && value.size() <= 12, name, "='", value, "' is not ", allowed);
    return value;
  }
  for (const std::string& c : choices_of(allowed))
    if (value == c) return value;
  fail(name, "='", value, "' is not one of ", allowed);
}

void check_retired(const char* name, const std::string& value) {
  if (value.empty()) return;
  if (std::strcmp(name, "DN_CPU_GEMM") == 0)  // merged into DN_CPU_MATMUL
    fail("DN_CPU_GEMM='", value, "' is no longer read: use DN_CPU_MATMUL=",
         value == "eigen" || value == "own" ? value : std::string("auto|own|eigen|bf16|bf16-encoder"),
         " instead (docs/settings.md)");
}

bool fused_kernels() {
  static const bool on = choice("DN_FUSED") == 1;
  return on;
}

CpuMatmul cpu_matmul() {
  static const CpuMatmul m = [] {
    check_retired("DN_CPU_GEMM", value_of("DN_CPU_GEMM"));
    return CpuMatmul(choice("DN_CPU_MATMUL"));  // in the order of the enum
  }();
  return m;
}

bool cpu_cache() {
  static const bool on = choice("DN_CPU_CACHE") == 1;
  return on;
}

std::string openmp_wait_policy() {
  if (const char* policy = std::getenv("OMP_WAIT_POLICY")) return policy;
  return std::getenv("GOMP_SPINCOUNT") ? "GOMP_SPINCOUNT" : "";
}

CudaMatmul cuda_matmul() {
  static const CudaMatmul m = CudaMatmul(choice("DN_CUDA_MATMUL"));  // in the order of the enum
  return m;
}

bool cuda_sync() {
  static const bool on = choice("DN_CUDA_SYNC") == 1;
  return on;
}

size_t cuda_memory_limit_bytes() {
  static const size_t bytes =
      size_t(std::stoull(checked("DN_CUDA_MEMORY_LIMIT_MB", value_of("DN_CUDA_MEMORY_LIMIT_MB"))))
      << 20;
  return bytes;
}

}  // namespace dn::settings
