#include "tensor/cuda/host_flags.h"

namespace dn::cuda {

bool cpu_fuses_multiply_add() {
#if defined(DN_NO_FP_CONTRACT)
  return false;  // the build compiles C++ with -ffp-contract=off (root meson.build)
#elif defined(__FMA__) || defined(__FP_FAST_FMA)
  return true;
#else
  return false;
#endif
}

}  // namespace dn::cuda
