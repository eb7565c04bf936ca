// Checking the status of every CUDA runtime call. A failure throws dn::Error naming the op
// that made the call, the call itself and CUDA's own words for the error:
//   "softmax: kernel launch failed: cudaErrorInvalidConfiguration (invalid configuration argument)"
#pragma once
#include <cuda_runtime_api.h>

#include "tensor/error.h"

namespace dn::cuda {

// Throws when `status` is not cudaSuccess. `op` is the user-visible op, `what` the call.
inline void check(cudaError_t status, const char* op, const char* what) {
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();  // clear a non-sticky error so later calls are not blamed for it
  fail(op, ": ", what, " failed: ", cudaGetErrorName(status), " (", cudaGetErrorString(status),
       ")");
}

// After a kernel launch: reports a bad launch configuration at once and, when DN_CUDA_SYNC=1
// is set, waits for the kernel so that a fault inside it is reported by this op.
void check_launch(const char* op);

}  // namespace dn::cuda

// DN_CUDA_CHECK(op, cudaMemcpyAsync(...)): the call is quoted in the message.
#define DN_CUDA_CHECK(op, call) ::dn::cuda::check((call), (op), #call)
