// Tensor: a view (shape, strides, offset, dtype) onto a shared Storage.
//
// Copying a Tensor copies a handle: both handles name the same tensor (like a PyTorch
// tensor in Python). Views made by reshape/permute/narrow/expand share the Storage and
// differ only in their metadata. The autograd fields (requires_grad, grad, grad_fn, hooks)
// live here as plain data; the engine that uses them is in autograd/.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace dn {

class Node;  // autograd/node.h
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }

  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;  // in elements, into the storage
  int64_t dim() const { return int64_t(shape().size()); }
  int64_t size(int64_t d) const;    // negative d counts from the end
  int64_t stride(int64_t d) const;
  int64_t numel() const;
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const;

  // Pointer to the first element (storage start + offset). data<T>() checks the dtype and
  // that the tensor lives on the CPU.
  void* data_ptr() const;
  template <class T> T* data() const {
    check_access(dtype_of<T>(), "data");
    return static_cast<T*>(data_ptr());
  }
  // The value of a one-element tensor, converted to double (copied from the GPU if needed).
  double item() const;

  // --- autograd state (see autograd/ for what uses it) ---
  bool requires_grad() const;
  // Marks a leaf tensor as one whose gradient is wanted. Only floating tensors can.
  Tensor& set_requires_grad(bool value = true);
  Tensor grad() const;       // undefined until a backward reaches this leaf
  void set_grad(const Tensor& g);
  const std::shared_ptr<Node>& grad_fn() const;  // null for leaves
  bool is_leaf() const { return grad_fn() == nullptr; }

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // "Tensor[2, 3] float32 cpu": for error messages and debugging.
  std::string describe() const;

 private:
  void check_access(DType want, const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

using GradHook = std::function<Tensor(const Tensor& grad)>;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;
  int64_t offset = 0;
  DType dtype = DType::f32;

  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  std::vector<GradHook> leaf_hooks;  // hooks of a leaf; a non-leaf's hooks live on grad_fn
  std::weak_ptr<Node> grad_accumulator;  // a leaf's AccumulateGrad node, shared by all its uses
};

// A new tensor header over an existing storage (no copy).
Tensor make_view(const std::shared_ptr<Storage>& storage, Shape shape, Shape strides,
                 int64_t offset, DType dtype);

// --- Factories -------------------------------------------------------------------------
Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::f32,
            Device device = Device::cpu());
Tensor scalar_tensor(double value, DType dtype = DType::f32, Device device = Device::cpu());
// 0, 1, ..., n-1
Tensor arange(int64_t n, DType dtype = DType::i64, Device device = Device::cpu());
// A CPU tensor holding a copy of `values` (their count must match the shape).
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);
// All elements, converted to T, in row-major order (copied from the GPU if needed).
template <class T>
std::vector<T> to_vector(const Tensor& t);

}  // namespace dn
