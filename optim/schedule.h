// Learning-rate and hard-mining schedules, computed exactly as the reference computes them
// (in double precision, NumPy's operation order).
#pragma once
#include <cstdint>
#include <vector>

namespace dn::optim {

// WarmCosineScheduler (docs/reference.md §4.3): a linear warm-up np.linspace(start, base, warmup)
// (a warm-up of one step is just `start`),
// then base → final along half a cosine over the remaining total - warmup steps; at and
// after `total`, final. lr(0) is the start value (0 by default): the first step moves
// nothing, though it still updates the optimizer's moments.
class WarmCosineSchedule {
 public:
  WarmCosineSchedule(double base, double final_value, int64_t total, int64_t warmup,
                     double start = 0.0);
  double lr(int64_t step) const;  // step counts from 0

 private:
  std::vector<double> values_;
  double final_;
};

// The hard-mining fraction: p = min(p_final·it/ramp, p_final) (Python's left-to-right order);
// a ramp of 0 means no ramp (p_final from the first step), where Python would divide by zero.
double hard_mining_p(int64_t it, double p_final = 0.9, int64_t ramp = 1000);
// How many points keep their full gradient: int(n·(1 - p)) in double precision.
int64_t hard_mining_k(int64_t n, double p);

}  // namespace dn::optim
