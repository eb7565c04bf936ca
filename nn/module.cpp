#include "nn/module.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "tensor/ops.h"

namespace dn::nn {

void Module::collect(const std::string& prefix, bool params, bool buffers, NamedTensors& out) const {
  if (params)
    for (const auto& [name, t] : params_) out.emplace_back(prefix + name, t);
  if (buffers)
    for (const auto& [name, t] : buffers_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", params, buffers, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", true, false, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (const auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

std::vector<Tensor> Module::trainable_parameters() const {
  std::vector<Tensor> out;
  for (const auto& [name, t] : named_parameters())
    if (t.requires_grad()) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", false, true, out);
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out;
  collect("", true, true, out);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out{{"", shared_from_this()}};
  for (const auto& [name, child] : children_)
    for (auto& [sub, m] : child->named_modules())
      out.emplace_back(sub.empty() ? name : name + "." + sub, m);
  return out;
}

size_t Module::load_state_dict(const NamedTensors& values, bool strict, const std::string& origin) {
  std::map<std::string, Tensor> given;
  for (const auto& [name, t] : values) given[name] = t;
  std::vector<std::string> missing, mismatched, unexpected;
  std::vector<std::pair<Tensor, Tensor>> copies;  // (destination, source)
  std::map<std::string, bool> known;
  for (const auto& [name, dst] : state_dict()) {
    known[name] = true;
    auto it = given.find(name);
    if (it == given.end()) {
      missing.push_back(name);
    } else if (it->second.shape() != dst.shape()) {
      mismatched.push_back(name + " (file " + shape_str(it->second.shape()) + ", model " +
                           shape_str(dst.shape()) + ")");
    } else {
      copies.emplace_back(dst, it->second);
    }
  }
  for (const auto& [name, t] : given)
    if (!known.count(name)) unexpected.push_back(name);

  std::ostringstream problems;
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    problems << "\n  " << what << " (" << names.size() << "):";
    for (size_t i = 0; i < names.size() && i < 20; ++i) problems << " " << names[i];
    if (names.size() > 20) problems << " ...";
  };
  list("missing", missing);
  list("unexpected", unexpected);
  list("shape mismatch", mismatched);
  if (!problems.str().empty()) {
    if (strict) fail(origin, ": does not fit the model:", problems.str());
    std::fprintf(stderr, "warning: %s: loading what fits; skipped:%s\n", origin.c_str(),
                 problems.str().c_str());
  }
  NoGradGuard guard;
  for (const auto& [dst, src] : copies) kernel::copy_(dst, kernel::to(src, dst.dtype()));
  return copies.size();
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& [name, child] : children_) child->train(on);
}

void Module::freeze(bool frozen) {
  for (const auto& [name, t] : named_parameters()) t.impl()->requires_grad = !frozen;
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  DN_CHECK(value.defined() && value.is_leaf(), type_name(), ": parameter '", name,
           "' must be a defined leaf tensor");
  value.set_requires_grad(true);
  params_.emplace_back(name, value);
  return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  buffers_.emplace_back(name, value);
  return value;
}

const Tensor& Module::parameter(const std::string& name) const {
  for (const auto& [n, t] : params_)
    if (n == name) return t;
  fail(type_name(), ": no parameter named '", name, "'");
}

}  // namespace dn::nn
