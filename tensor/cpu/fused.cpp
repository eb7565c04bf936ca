// Which fused kernels of tensor/backend.def the CPU has: all of them (tensor/cpu/attention.cpp,
// bias_gelu.cpp, layer_norm_backward.cpp, dropout.cpp, mean_of.cpp), for float32 and float64.
#include "tensor/cpu/cpu_backend.h"

namespace dn::cpu {

bool has_fused(FusedKernel, DType dtype) { return is_math_dtype(dtype); }

}  // namespace dn::cpu
