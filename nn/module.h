// Module: a piece of a model that owns parameters (and child modules), named exactly as
// PyTorch names them, so that state_dict() keys match "blocks.0.attn.qkv.weight".
//
// Order matters and is PyTorch's: a module's own parameters in registration order, then
// each child's, recursively, in registration order. The optimizer walks parameters in this
// order, which fixes, among other things, the summation order of the global gradient norm.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/functions.h"

namespace dn::nn {

// Tensors with their dotted names, in order (the same type as dn::io::NamedTensors).
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module : public std::enable_shared_from_this<Module> {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  // Parameters whose gradient is wanted (not frozen).
  std::vector<Tensor> trainable_parameters() const;
  NamedTensors named_buffers() const;
  // Parameters and buffers, as PyTorch's state_dict(): per module, parameters then buffers,
  // then the children.
  NamedTensors state_dict() const;
  // Every module below this one (this one first, "" its name), depth first.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules();

  // Copies values into this module's parameters and buffers (converting dtypes). Strict:
  // missing keys, unexpected keys and shape mismatches are all listed in one dn::Error;
  // `origin` (a file name) starts the message. Not strict: the same list is printed as
  // warnings and everything that fits is loaded. Returns the number of tensors loaded.
  size_t load_state_dict(const NamedTensors& values, bool strict = true,
                         const std::string& origin = "state dict");

  // Training mode (dropout active) or evaluation mode, for this module and all below it.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // requires_grad = false on every parameter below this module (true to undo).
  void freeze(bool frozen = true);

  virtual std::string type_name() const = 0;

 protected:
  // A parameter is a leaf tensor that (unless frozen) requires grad.
  Tensor register_parameter(const std::string& name, Tensor value);
  Tensor register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    children_.emplace_back(name, module);
    return module;
  }
  // The registered parameter of this module with that name (for modules that look their
  // own parameters up by name).
  const Tensor& parameter(const std::string& name) const;

 private:
  void collect(const std::string& prefix, bool params, bool buffers, NamedTensors& out) const;

  NamedTensors params_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// Children named "0", "1", ...: PyTorch's nn.ModuleList.
template <class M>
class ModuleList : public Module {
 public:
  void push_back(std::shared_ptr<M> m) {
    items_.push_back(register_module(std::to_string(items_.size()), m));
  }
  size_t size() const { return items_.size(); }
  M& operator[](size_t i) const { return *items_.at(i); }
  const std::vector<std::shared_ptr<M>>& items() const { return items_; }
  std::string type_name() const override { return "ModuleList"; }

 private:
  std::vector<std::shared_ptr<M>> items_;
};

}  // namespace dn::nn
