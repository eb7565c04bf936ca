#include "tests/support/formula.h"

#include "tensor/ops.h"

namespace dn::test {

namespace {

uint64_t fnv1a64(const std::string& text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double scale_of(const std::string& name) {
  if (name == "input") return 1.5;
  if (ends_with(name, "ls1.gamma") || ends_with(name, "ls2.gamma")) return 0.5;
  const bool is_norm = name.find("norm") != std::string::npos;
  if (is_norm && ends_with(name, ".weight")) return 0.2;
  if (ends_with(name, ".bias")) return 0.02;
  if (ends_with(name, "cls_token") || ends_with(name, "register_tokens") || ends_with(name, "mask_token"))
    return 0.5;
  if (ends_with(name, "pos_embed")) return 0.1;
  return 0.08;
}

double offset_of(const std::string& name) {
  return name.find("norm") != std::string::npos && ends_with(name, ".weight") ? 1.0 : 0.0;
}

}  // namespace

std::vector<double> formula_values(const std::string& name, int64_t count) {
  const uint64_t base = fnv1a64(name);
  const double scale = scale_of(name), offset = offset_of(name);
  std::vector<double> v(count);
  for (int64_t i = 0; i < count; ++i) {
    const uint64_t h = splitmix64(base + uint64_t(i) * 0x9E3779B97F4A7C15ull);
    const double u = double(h >> 11) * (1.0 / 9007199254740992.0);
    v[i] = offset + scale * (2.0 * u - 1.0);
  }
  return v;
}

Tensor formula_tensor(const std::string& name, const Shape& shape, DType dtype) {
  return kernel::to(from_vector<double>(formula_values(name, numel_of(shape)), shape), dtype);
}

void fill_with_formula(nn::Module& module) {
  NoGradGuard guard;
  for (const auto& [name, t] : module.state_dict())
    kernel::copy_(t, formula_tensor(name, t.shape(), t.dtype()));
}

Digest digest(const Tensor& t) {
  std::vector<double> flat = to_vector<double>(t);
  Digest d;
  const size_t step = std::max<size_t>(1, flat.size() / 2000);
  for (size_t i = 0; i < flat.size(); i += step) d.samples.push_back(flat[i]);
  for (double v : flat) {
    d.sum += v;
    d.sumsq += v * v;
  }
  return d;
}

}  // namespace dn::test
