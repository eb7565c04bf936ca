// Shapes and strides, in PyTorch's order: row-major, the last dimension contiguous.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dn {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[2, 3, 4]"

// Maps a possibly negative dim into [0, ndim); throws naming `op` when out of range.
int64_t normalize_dim(const char* op, int64_t dim, int64_t ndim);

// The NumPy/PyTorch broadcast of two shapes; throws naming `op` when they do not fit.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

}  // namespace dn
