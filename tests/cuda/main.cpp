// main() of the `cuda` suite: without a usable CUDA device (no GPU, no driver, or a build
// without CUDA) it says so and exits 77, which meson reports as SKIP -- never as a pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "tensor/cuda/cuda_backend.h"

// The suites run as users run: kernels queued asynchronously on the stream. DN_CUDA_SYNC=1
// (a debugging switch) makes every kernel wait for itself, so that a fault is reported by
// the op that caused it.
int main(int argc, char** argv) {
  if (dn::cuda::device_count() == 0) {
    std::printf("no CUDA device: skipping (%s)\n",
                dn::cuda::built_with_cuda() ? "none found" : "built without CUDA");
    return 77;
  }
  std::printf("CUDA device: %s\n", dn::cuda::device_description(0).c_str());
  doctest::Context context(argc, argv);
  return context.run();
}
