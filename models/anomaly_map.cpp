#include "models/anomaly_map.h"

#include <cmath>

#include "autograd/functions.h"
#include "tensor/cpu/dispatch.h"

namespace dn::models {

Tensor gaussian_kernel(int64_t size, double sigma, DType dtype) {
  Tensor k;
  cpu::dispatch_float(dtype, "gaussian_kernel", [&](auto tag) {
    using T = decltype(tag);
    // (1/(2πσ²))·exp(-((x-c)² + (y-c)²)/(2σ²)), normalised to sum 1, in T as torch does
    // (the scalar factor is a double rounded once to T).
    const T c = T(size - 1) / T(2), two_var = T(2.0 * sigma * sigma);
    const T factor = T(1.0 / (2.0 * M_PI * sigma * sigma));
    std::vector<T> v(size * size);
    T total = 0;
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        const T d2 = (T(x) - c) * (T(x) - c) + (T(y) - c) * (T(y) - c);
        v[y * size + x] = factor * std::exp(-d2 / two_var);
        total += v[y * size + x];
      }
    for (T& e : v) e /= total;
    k = from_vector<T>(v, {1, 1, size, size});
  });
  return k;
}

Tensor raw_anomaly_map(const std::vector<Tensor>& en, const std::vector<Tensor>& de, int64_t crop) {
  DN_CHECK(!en.empty() && en.size() == de.size(), "anomaly_map: ", en.size(), " encoder groups but ",
           de.size(), " decoder groups");
  NoGradGuard guard;
  std::vector<Tensor> maps;
  for (size_t g = 0; g < en.size(); ++g) {
    Tensor d = unsqueeze(add_scalar(neg(cosine_similarity(en[g], de[g], 1, 1e-8)), 1.0), 1);
    maps.push_back(interpolate(d, {ResampleMode::bilinear, crop, crop, {}, {}, true}));
  }
  return mean(cat(maps, 1), {1}, true);
}

Tensor anomaly_map(const std::vector<Tensor>& en, const std::vector<Tensor>& de, int64_t crop,
                   const AnomalyMapOptions& o) {
  NoGradGuard guard;
  Tensor m = raw_anomaly_map(en, de, crop);
  m = interpolate(m, {ResampleMode::bilinear, o.out_size, o.out_size, {}, {}, false});
  Tensor k = kernel::to(gaussian_kernel(o.gaussian_size, o.gaussian_sigma, m.dtype()), m.device());
  return conv2d(m, kernel::to(k, m.device()), Tensor(), 1, o.gaussian_size / 2);
}

Tensor image_scores(const Tensor& map, double top_ratio) {
  NoGradGuard guard;
  Tensor flat = reshape(map, {map.size(0), -1});
  if (top_ratio <= 0) return max(flat, {1});
  const int64_t k = int64_t(double(flat.size(1)) * top_ratio);
  DN_CHECK(k >= 1, "image_scores: top ratio ", top_ratio, " of ", flat.size(1), " pixels is empty");
  return mean(topk(flat, k, 1).values, {1});
}

}  // namespace dn::models
