// Views (metadata only) and copies.
#include <algorithm>
#include <optional>

#include "tensor/ops_common.h"

namespace dn::kernel {

namespace {

// Replaces a -1 entry with the size that keeps the element count.
Shape infer_size(const char* op, Shape shape, int64_t numel) {
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      DN_CHECK(infer_at < 0, op, ": more than one -1 in shape ", shape_str(shape));
      infer_at = int64_t(i);
    } else {
      DN_CHECK(shape[i] >= 0, op, ": invalid size in shape ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    DN_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(shape),
             " is invalid for ", numel, " elements");
    shape[infer_at] = numel / known;
  }
  DN_CHECK(numel_of(shape) == numel, op, ": shape ", shape_str(shape), " is invalid for ",
           numel, " elements");
  return shape;
}

// Strides that let a tensor of (shape, strides) be seen as new_shape without copying, if any.
// Walk the old dims from the innermost out, grouping runs of dims that are contiguous with
// each other; each group must be covered exactly by a run of new dims.
std::optional<Shape> view_strides(const Shape& shape, const Shape& strides, const Shape& new_shape) {
  Shape out(new_shape.size(), 1);
  if (numel_of(shape) == 0 || shape.empty()) return contiguous_strides(new_shape);
  int64_t new_d = int64_t(new_shape.size()) - 1;
  int64_t group_stride = strides.back();  // stride of the innermost dim of the current group
  int64_t group_numel = 1, new_numel = 1;
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    group_numel *= shape[d];
    bool group_ends = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != group_numel * group_stride);
    if (!group_ends) continue;
    while (new_d >= 0 && (new_numel < group_numel || new_shape[new_d] == 1)) {
      out[new_d] = new_numel * group_stride;
      new_numel *= new_shape[new_d];
      --new_d;
    }
    if (new_numel != group_numel) return std::nullopt;
    if (d > 0) {
      group_stride = strides[d - 1];
      group_numel = 1;
      new_numel = 1;
    }
  }
  if (new_d != -1) return std::nullopt;
  return out;
}

Tensor restride(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  return make_view(x.storage(), std::move(shape), std::move(strides), offset, x.dtype());
}

}  // namespace

bool can_view(const Tensor& x, const Shape& shape) {
  return numel_of(shape) == x.numel() && view_strides(x.shape(), x.strides(), shape).has_value();
}

Tensor view(const Tensor& x, Shape shape) {
  check_defined("view", x);
  shape = infer_size("view", std::move(shape), x.numel());
  auto strides = view_strides(x.shape(), x.strides(), shape);
  DN_CHECK(strides.has_value(), "view: cannot view ", x.describe(), " with strides ",
           shape_str(x.strides()), " as ", shape_str(shape), " without a copy (use reshape)");
  return restride(x, shape, *strides, x.offset());
}

Tensor reshape(const Tensor& x, Shape shape) {
  check_defined("reshape", x);
  shape = infer_size("reshape", std::move(shape), x.numel());
  if (auto strides = view_strides(x.shape(), x.strides(), shape))
    return restride(x, shape, *strides, x.offset());
  return view(contiguous(x), shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  check_defined("permute", x);
  DN_CHECK(int64_t(dims.size()) == x.dim(), "permute: ", dims.size(), " dims given for ",
           x.describe());
  Shape shape(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim("permute", dims[i], x.dim());
    DN_CHECK(!seen[d], "permute: dim ", d, " repeated");
    seen[d] = true;
    shape[i] = x.shape()[d];
    strides[i] = x.strides()[d];
  }
  return restride(x, shape, strides, x.offset());
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  check_defined("transpose", x);
  std::vector<int64_t> order(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) order[i] = i;
  std::swap(order[normalize_dim("transpose", dim0, x.dim())],
            order[normalize_dim("transpose", dim1, x.dim())]);
  return permute(x, order);
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  check_defined("narrow", x);
  int64_t d = normalize_dim("narrow", dim, x.dim());
  DN_CHECK(start >= 0 && length >= 0 && start + length <= x.shape()[d], "narrow: range [",
           start, ", ", start + length, ") out of bounds for dim ", d, " of ", x.describe());
  Shape shape = x.shape();
  shape[d] = length;
  return restride(x, shape, x.strides(), x.offset() + start * x.strides()[d]);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  check_defined("expand", x);
  DN_CHECK(shape.size() >= size_t(x.dim()), "expand: cannot expand ", x.describe(), " to ",
           shape_str(shape));
  const size_t lead = shape.size() - x.dim();
  Shape out(shape.size()), strides(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      DN_CHECK(shape[i] >= 0, "expand: invalid size ", shape[i], " in ", shape_str(shape));
      out[i] = shape[i];
      strides[i] = 0;
      continue;
    }
    int64_t have = x.shape()[i - lead], want = shape[i] == -1 ? have : shape[i];
    DN_CHECK(have == want || have == 1, "expand: cannot expand ", x.describe(), " to ",
             shape_str(shape));
    out[i] = want;
    strides[i] = have == want ? x.strides()[i - lead] : 0;
  }
  return restride(x, out, strides, x.offset());
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  check_defined("squeeze", x);
  int64_t d = normalize_dim("squeeze", dim, x.dim());
  if (x.shape()[d] != 1) return x;
  Shape shape = x.shape(), strides = x.strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return restride(x, shape, strides, x.offset());
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  check_defined("unsqueeze", x);
  int64_t d = normalize_dim("unsqueeze", dim, x.dim() + 1);
  Shape shape = x.shape(), strides = x.strides();
  int64_t stride = d < x.dim() ? x.strides()[d] * x.shape()[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return restride(x, shape, strides, x.offset());
}

Tensor as_strided(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  check_defined("as_strided", x);
  DN_CHECK(shape.size() == strides.size(), "as_strided: shape ", shape_str(shape),
           " and strides ", shape_str(strides), " differ in length");
  int64_t last = offset;
  for (size_t i = 0; i < shape.size(); ++i) {
    DN_CHECK(shape[i] >= 0 && strides[i] >= 0, "as_strided: negative size or stride");
    if (shape[i] > 0) last += (shape[i] - 1) * strides[i];
  }
  DN_CHECK(offset >= 0 && (numel_of(shape) == 0 ||
                           size_t(last + 1) * dtype_size(x.dtype()) <= x.storage()->nbytes()),
           "as_strided: view ", shape_str(shape), " reaches past the storage of ", x.describe());
  return restride(x, std::move(shape), std::move(strides), offset);
}

Tensor contiguous(const Tensor& x) {
  check_defined("contiguous", x);
  return x.is_contiguous() ? x : clone(x);
}

Tensor clone(const Tensor& x) {
  check_defined("clone", x);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  DN_RUN_KERNEL(x.device(), copy, out, x);
  return out;
}

Tensor to(const Tensor& x, DType dtype) {
  check_defined("to", x);
  if (x.dtype() == dtype) return x;
  Tensor out = empty(x.shape(), dtype, x.device());
  DN_RUN_KERNEL(x.device(), copy, out, x);
  return out;
}

Tensor to(const Tensor& x, Device device) {
  check_defined("to", x);
  if (x.device() == device) return x;
  Tensor src = contiguous(x);
  Tensor out = empty(x.shape(), x.dtype(), device);
  cuda::copy_bytes(out.data_ptr(), device, src.data_ptr(), src.device(),
                   size_t(src.numel()) * dtype_size(src.dtype()));
  return out;
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_defined("copy_", dst);
  check_defined("copy_", src);
  if (src.device() != dst.device()) {
    copy_(dst, to(src, dst.device()));
    return;
  }
  DN_CHECK(broadcast_shapes("copy_", src.shape(), dst.shape()) == dst.shape(), "copy_: cannot copy ",
           src.describe(), " into ", dst.describe());
  DN_RUN_KERNEL(dst.device(), copy, dst, expand(src, dst.shape()));
}

void fill_(const Tensor& dst, double value) {
  check_defined("fill_", dst);
  DN_RUN_KERNEL(dst.device(), fill, dst, value);
}

}  // namespace dn::kernel
