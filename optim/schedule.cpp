#include "optim/schedule.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace dn::optim {

WarmCosineSchedule::WarmCosineSchedule(double base, double final_value, int64_t total,
                                       int64_t warmup, double start)
    : final_(final_value) {
  DN_CHECK(total > 0 && warmup >= 0 && warmup <= total, "schedule: need 0 <= warmup (", warmup,
           ") <= total (", total, ")");
  // np.linspace(start, base, warmup): start + i·step, step = (base - start)/(warmup - 1),
  // with the last value set to exactly `base`; a single value is `start` (np.linspace(0,
  // peak, 1) is [0.]), so with warmup 1 the first step still moves nothing.
  for (int64_t i = 0; i < warmup; ++i) {
    if (warmup == 1) values_.push_back(start);
    else if (i == warmup - 1) values_.push_back(base);
    else values_.push_back(double(i) * ((base - start) / double(warmup - 1)) + start);
  }
  const int64_t n = total - warmup;
  for (int64_t i = 0; i < n; ++i)
    values_.push_back(final_value + 0.5 * (base - final_value) * (1.0 + std::cos(M_PI * double(i) / double(n))));
}

double WarmCosineSchedule::lr(int64_t step) const {
  if (step < 0) return values_.empty() ? final_ : values_.front();
  return step >= int64_t(values_.size()) ? final_ : values_[step];
}

double hard_mining_p(int64_t it, double p_final, int64_t ramp) {
  if (ramp <= 0) return p_final;
  return std::min(p_final * double(it) / double(ramp), p_final);
}

int64_t hard_mining_k(int64_t n, double p) { return int64_t(double(n) * (1.0 - p)); }

}  // namespace dn::optim
