// AdamW and StableAdamW (with AMSGrad), the optimizer Dinomaly trains with.
//
// For each parameter p with gradient g, at step t (counted per parameter, from 1):
//   p  ← p·(1 - lr·wd)                              decoupled weight decay, first
//   m  ← β1·m + (1-β1)·g                            first moment
//   v  ← β2·v + (1-β2)·g²                           second moment
//   v̂  ← max(v̂, v)                                  AMSGrad (when enabled), elementwise
//   d  = sqrt(v̂) / sqrt(1-β2^t) + eps               eps after the corrected square root
// AdamW:       p ← p - lr/(1-β1^t) · m/d
// StableAdamW: the step of each tensor is slowed when it would be too large:
//   rms = sqrt(mean((g/d)²))                        with the CURRENT gradient g
//   p ← p - lr/(1-β1^t)/max(1, rms/clip) · m/d
// (Wortsman et al., "Stable and low-precision training for large-scale vision-language
// models", 2023; docs/reference.md §4.2.)
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dn::optim {

struct AdamOptions {
  double lr = 2e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-10;
  double weight_decay = 1e-4;
  bool amsgrad = true;
  bool stable = true;           // StableAdamW's per-tensor RMS clipping
  double clip_threshold = 1.0;  // StableAdamW
};

class Adam {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options);
  // One update of every parameter that has a gradient, at learning rate `lr`.
  void step(double lr);
  void zero_grad();
  const AdamOptions& options() const { return options_; }
  const std::vector<Tensor>& params() const { return params_; }

  // The state, for checkpoints: "<i>.step", "<i>.exp_avg", "<i>.exp_avg_sq",
  // "<i>.max_exp_avg_sq" for parameter i (its position in the parameter list).
  std::vector<std::pair<std::string, Tensor>> state_dict() const;
  void load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state,
                       const std::string& origin);

 private:
  struct State {
    int64_t step = 0;
    Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
  };
  std::vector<Tensor> params_;
  std::vector<State> state_;
  AdamOptions options_;
};

}  // namespace dn::optim
