// In-place arithmetic on an existing tensor (the autograd engine sums gradients this way).
#include "tensor/ops_common.h"

namespace dn::kernel {

// The binary kernel reads and writes each element at the same index, so out may be a.
void add_(const Tensor& dst, const Tensor& src) {
  check_defined("add_", dst);
  check_defined("add_", src);
  check_same_device("add_", dst, src);
  check_same_dtype("add_", dst, src);
  check_math_dtype("add_", dst);
  DN_CHECK(broadcast_shapes("add_", src.shape(), dst.shape()) == dst.shape(), "add_: cannot add ",
           src.describe(), " into ", dst.describe());
  if (dst.numel() > 0) DN_RUN_KERNEL(dst.device(), binary, BinaryOp::add, dst, dst, expand(src, dst.shape()));
}

}  // namespace dn::kernel
