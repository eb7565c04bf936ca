#include "tensor/op_kinds.h"

namespace dn {

const char* fused_kernel_name(FusedKernel kernel) {
  switch (kernel) {
#define DN_KERNEL(name, params)
#define DN_FUSED_KERNEL(name, params) \
  case FusedKernel::name: return #name;
#include "tensor/backend.def"
#undef DN_KERNEL
#undef DN_FUSED_KERNEL
  }
  return "fused kernel";
}

const char* unary_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: return "neg";
    case UnaryOp::exp: return "exp";
    case UnaryOp::log: return "log";
    case UnaryOp::sqrt: return "sqrt";
    case UnaryOp::abs: return "abs";
    case UnaryOp::sign: return "sign";
    case UnaryOp::pow_scalar: return "pow";
    case UnaryOp::add_scalar: return "add_scalar";
    case UnaryOp::mul_scalar: return "mul_scalar";
    case UnaryOp::elu: return "elu";
    case UnaryOp::elu_grad_factor: return "elu_grad_factor";
    case UnaryOp::gelu: return "gelu";
    case UnaryOp::gelu_grad_factor: return "gelu_grad_factor";
    case UnaryOp::erfinv: return "erfinv";
    case UnaryOp::clamp_min: return "clamp_min";
    case UnaryOp::clamp_max: return "clamp_max";
  }
  return "unary";
}

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return "add";
    case BinaryOp::sub: return "sub";
    case BinaryOp::mul: return "mul";
    case BinaryOp::div: return "div";
    case BinaryOp::maximum: return "maximum";
    case BinaryOp::minimum: return "minimum";
  }
  return "binary";
}

const char* compare_name(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return "eq";
    case CompareOp::ne: return "ne";
    case CompareOp::lt: return "lt";
    case CompareOp::le: return "le";
    case CompareOp::gt: return "gt";
    case CompareOp::ge: return "ge";
  }
  return "compare";
}

}  // namespace dn
