// Gradient recording can be switched off for a scope: the frozen encoder, the optimizer
// step and evaluation run under NoGradGuard, so they record nothing and keep no activations.
#pragma once

namespace dn {

bool grad_enabled();

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace dn
