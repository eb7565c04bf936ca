#include "autograd/registry.h"

namespace dn {

const std::vector<OpInfo>& all_ops() {
  static const std::vector<OpInfo> table = {
#define DN_OP(name) {Op::name, #name, true, ""},
#define DN_OP_NO_GRAD(name, why) {Op::name, #name, false, why},
#include "autograd/ops.def"
#undef DN_OP
#undef DN_OP_NO_GRAD
  };
  return table;
}

const OpInfo& op_info(Op op) { return all_ops()[size_t(op)]; }

}  // namespace dn
