// The adjoint of an interpolation axis's taps (the taps themselves are the CPU backend's,
// tensor/resample_taps.h).
#include "tensor/cuda/resample_plan.h"

#include <algorithm>
#include <cmath>

namespace dn::cuda {

template <class T>
std::vector<AxisTap<T>> axis_taps(ResampleMode mode, const ResampleAxis& axis) {
  return resample_taps<T>(mode, axis);
}
template std::vector<AxisTap<float>> axis_taps<float>(ResampleMode, const ResampleAxis&);
template std::vector<AxisTap<double>> axis_taps<double>(ResampleMode, const ResampleAxis&);

template <class T>
AxisAdjoint<T> axis_adjoint(const std::vector<AxisTap<T>>& taps, int64_t in) {
  AxisAdjoint<T> adj;
  adj.begin.assign(in + 1, 0);
  for (const AxisTap<T>& t : taps)
    for (int k = 0; k < t.n; ++k) adj.begin[t.idx[k] + 1]++;
  for (int64_t i = 0; i < in; ++i) adj.begin[i + 1] += adj.begin[i];
  adj.out.resize(adj.begin[in]);
  adj.w.resize(adj.begin[in]);
  std::vector<int32_t> fill(adj.begin.begin(), adj.begin.end() - 1);
  for (size_t o = 0; o < taps.size(); ++o)  // outputs in order, taps in order
    for (int k = 0; k < taps[o].n; ++k) {
      const int32_t i = taps[o].idx[k];
      adj.out[fill[i]] = int32_t(o);
      adj.w[fill[i]] = taps[o].w[k];
      fill[i]++;
    }
  return adj;
}

template AxisAdjoint<float> axis_adjoint<float>(const std::vector<AxisTap<float>>&, int64_t);
template AxisAdjoint<double> axis_adjoint<double>(const std::vector<AxisTap<double>>&, int64_t);

}  // namespace dn::cuda
