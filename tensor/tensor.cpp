#include "tensor/tensor.h"

#include "tensor/ops.h"

namespace dn {

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  DN_CHECK(impl != nullptr, "tensor: use of an undefined tensor");
  return *impl;
}
}  // namespace

const Shape& Tensor::shape() const { return checked(impl_).shape; }
const Shape& Tensor::strides() const { return checked(impl_).strides; }
int64_t Tensor::offset() const { return checked(impl_).offset; }
int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim("size", d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return strides()[normalize_dim("stride", d, dim())]; }
int64_t Tensor::numel() const { return numel_of(shape()); }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device(); }
const std::shared_ptr<Storage>& Tensor::storage() const { return checked(impl_).storage; }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= shape()[d];
  }
  return true;
}

void* Tensor::data_ptr() const {
  const TensorImpl& t = checked(impl_);
  return static_cast<char*>(t.storage->data()) + t.offset * int64_t(dtype_size(t.dtype));
}

void Tensor::check_access(DType want, const char* what) const {
  DN_CHECK(dtype() == want, what, ": tensor holds ", dtype_name(dtype()), ", asked for ",
           dtype_name(want));
  DN_CHECK(device().is_cpu(), what, ": tensor is on ", device().str(),
           "; copy it to the CPU first");
}

double Tensor::item() const {
  DN_CHECK(numel() == 1, "item: tensor ", describe(), " has ", numel(), " elements, not 1");
  Tensor c = kernel::to(kernel::to(*this, Device::cpu()), DType::f64);
  return *static_cast<const double*>(c.data_ptr());
}

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::set_requires_grad(bool value) {
  DN_CHECK(impl_ != nullptr, "set_requires_grad: undefined tensor");
  DN_CHECK(!value || is_floating(dtype()), "set_requires_grad: only floating tensors can "
           "require gradients, this one is ", dtype_name(dtype()));
  DN_CHECK(is_leaf(), "set_requires_grad: only leaf tensors can be marked; this one comes "
           "from an op (detach() it first)");
  impl_->requires_grad = value;
  return *this;
}

Tensor Tensor::grad() const { return checked(impl_).grad; }

void Tensor::set_grad(const Tensor& g) {
  DN_CHECK(impl_ != nullptr, "set_grad: undefined tensor");
  if (g.defined()) {
    DN_CHECK(g.shape() == shape() && g.dtype() == dtype(), "set_grad: gradient ", g.describe(),
             " does not match tensor ", describe());
  }
  impl_->grad = g;
}

const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

std::string Tensor::describe() const {
  if (!defined()) return "Tensor(undefined)";
  return "Tensor" + shape_str(shape()) + " " + dtype_name(dtype()) + " " + device().str();
}

Tensor make_view(const std::shared_ptr<Storage>& storage, Shape shape, Shape strides,
                 int64_t offset, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape)
    DN_CHECK(s >= 0, "empty: negative size in shape ", shape_str(shape));
  auto storage = Storage::allocate(size_t(numel_of(shape)) * dtype_size(dtype), device);
  return make_view(storage, shape, contiguous_strides(shape), 0, dtype);
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  kernel::fill_(t, value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor arange(int64_t n, DType dtype, Device device) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = double(i);
  return kernel::to(kernel::to(from_vector(v, {n}), dtype), device);
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  DN_CHECK(int64_t(values.size()) == numel_of(shape), "from_vector: ", values.size(),
           " values do not fill shape ", shape_str(shape));
  Tensor t = empty(shape, dtype_of<T>());
  T* p = static_cast<T*>(t.data_ptr());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

template <class T>
std::vector<T> to_vector(const Tensor& t) {
  Tensor c = kernel::contiguous(kernel::to(kernel::to(t, Device::cpu()), dtype_of<T>()));
  const T* p = static_cast<const T*>(c.data_ptr());
  return std::vector<T>(p, p + c.numel());
}

#define DN_INSTANTIATE(T)                                                     \
  template Tensor from_vector<T>(const std::vector<T>&, const Shape&); \
  template std::vector<T> to_vector<T>(const Tensor&);
DN_INSTANTIATE(float)
DN_INSTANTIATE(double)
DN_INSTANTIATE(int64_t)
DN_INSTANTIATE(int32_t)
DN_INSTANTIATE(uint8_t)
DN_INSTANTIATE(bool)
#undef DN_INSTANTIATE

}  // namespace dn
