#include "optim/adam.h"

#include <cmath>

#include "autograd/autograd.h"
#include "tensor/ops.h"

namespace dn::optim {

using kernel::binary;
using kernel::unary;

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : params_(std::move(params)), state_(params_.size()), options_(options) {}

void Adam::zero_grad() { dn::zero_grad(params_); }

void Adam::step(double lr) {
  NoGradGuard guard;
  const AdamOptions& o = options_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    State& s = state_[i];
    if (!s.exp_avg.defined()) {
      s.exp_avg = zeros(p.shape(), p.dtype(), p.device());
      s.exp_avg_sq = zeros(p.shape(), p.dtype(), p.device());
      if (o.amsgrad) s.max_exp_avg_sq = zeros(p.shape(), p.dtype(), p.device());
    }
    kernel::copy_(p, unary(UnaryOp::mul_scalar, p, 1.0 - lr * o.weight_decay));
    s.step += 1;
    const double bc1 = 1.0 - std::pow(o.beta1, double(s.step));
    const double bc2 = 1.0 - std::pow(o.beta2, double(s.step));
    kernel::copy_(s.exp_avg, binary(BinaryOp::add, unary(UnaryOp::mul_scalar, s.exp_avg, o.beta1),
                                    unary(UnaryOp::mul_scalar, g, 1.0 - o.beta1)));
    Tensor g2 = binary(BinaryOp::mul, g, g);
    kernel::copy_(s.exp_avg_sq, binary(BinaryOp::add, unary(UnaryOp::mul_scalar, s.exp_avg_sq, o.beta2),
                                       unary(UnaryOp::mul_scalar, g2, 1.0 - o.beta2)));
    Tensor second = s.exp_avg_sq;
    if (o.amsgrad) {
      kernel::copy_(s.max_exp_avg_sq, binary(BinaryOp::maximum, s.max_exp_avg_sq, s.exp_avg_sq));
      second = s.max_exp_avg_sq;
    }
    Tensor denom = unary(UnaryOp::add_scalar,
                         unary(UnaryOp::mul_scalar, unary(UnaryOp::sqrt, second), 1.0 / std::sqrt(bc2)),
                         o.eps);
    double step_size = lr / bc1;
    if (o.stable) {
      Tensor ratio = binary(BinaryOp::div, g, denom);
      const double mean_sq =
          kernel::reduce(ReduceOp::sum, binary(BinaryOp::mul, ratio, ratio), {}, false).item() /
          double(p.numel());
      step_size /= std::max(1.0, std::sqrt(mean_sq) / o.clip_threshold);
    }
    kernel::copy_(p, binary(BinaryOp::sub, p,
                            unary(UnaryOp::mul_scalar, binary(BinaryOp::div, s.exp_avg, denom), step_size)));
  }
}

std::vector<std::pair<std::string, Tensor>> Adam::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < state_.size(); ++i) {
    const State& s = state_[i];
    if (!s.exp_avg.defined()) continue;
    const std::string k = std::to_string(i) + ".";
    out.emplace_back(k + "step", from_vector<int64_t>({s.step}, {}));
    out.emplace_back(k + "exp_avg", s.exp_avg);
    out.emplace_back(k + "exp_avg_sq", s.exp_avg_sq);
    if (s.max_exp_avg_sq.defined()) out.emplace_back(k + "max_exp_avg_sq", s.max_exp_avg_sq);
  }
  return out;
}

void Adam::load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state,
                           const std::string& origin) {
  std::vector<State> loaded(params_.size());
  for (const auto& [name, t] : state) {
    size_t dot = name.find('.');
    DN_CHECK(dot != std::string::npos, origin, ": unexpected optimizer entry '", name, "'");
    size_t i = 0;
    try {
      i = std::stoul(name.substr(0, dot));
    } catch (const std::exception&) {
      fail(origin, ": unexpected optimizer entry '", name, "'");
    }
    DN_CHECK(i < params_.size(), origin, ": optimizer entry '", name, "' for parameter ", i,
             " but the model has ", params_.size());
    const std::string field = name.substr(dot + 1);
    const Tensor& p = params_[i];
    State& s = loaded[i];
    if (field == "step") {
      s.step = int64_t(t.item());
      continue;
    }
    DN_CHECK(t.shape() == p.shape(), origin, ": optimizer entry '", name, "' has shape ",
             shape_str(t.shape()), " but the parameter has ", shape_str(p.shape()));
    Tensor copy = kernel::clone(kernel::to(kernel::to(t, p.dtype()), p.device()));
    if (field == "exp_avg") s.exp_avg = copy;
    else if (field == "exp_avg_sq") s.exp_avg_sq = copy;
    else if (field == "max_exp_avg_sq") s.max_exp_avg_sq = copy;
    else fail(origin, ": unexpected optimizer entry '", name, "'");
  }
  for (size_t i = 0; i < loaded.size(); ++i) {
    const State& s = loaded[i];
    const bool any = s.exp_avg.defined() || s.exp_avg_sq.defined() || s.step > 0;
    if (!any) continue;
    DN_CHECK(s.exp_avg.defined() && s.exp_avg_sq.defined() &&
                 (s.max_exp_avg_sq.defined() || !options_.amsgrad),
             origin, ": optimizer state of parameter ", i, " is incomplete");
  }
  state_ = std::move(loaded);
}

}  // namespace dn::optim
