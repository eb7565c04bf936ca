// The op registry (autograd/ops.def) as C++: an enum with one value per op, and its facts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dn {

enum class Op : uint16_t {
#define DN_OP(name) name,
#define DN_OP_NO_GRAD(name, why) name,
#include "autograd/ops.def"
#undef DN_OP
#undef DN_OP_NO_GRAD
};

struct OpInfo {
  Op op;
  const char* name;
  bool differentiable;
  const char* no_grad_reason;  // non-empty exactly when !differentiable
};

const OpInfo& op_info(Op op);
const std::vector<OpInfo>& all_ops();

}  // namespace dn
