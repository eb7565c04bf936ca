#include "models/anomaly_map.h"

#include <cmath>

#include "autograd/functions.h"

namespace dn::models {

Tensor gaussian_kernel(int64_t size, double sigma) {
  // exp(-((x-c)² + (y-c)²) / (2σ²)) / (2πσ²), normalised to sum 1, in float32 as torch does.
  const float mean = float(size - 1) / 2.0f, variance = float(sigma * sigma);
  std::vector<float> k(size * size);
  float total = 0;
  for (int64_t y = 0; y < size; ++y)
    for (int64_t x = 0; x < size; ++x) {
      const float d2 = (float(x) - mean) * (float(x) - mean) + (float(y) - mean) * (float(y) - mean);
      k[y * size + x] = (1.0f / (2.0f * float(M_PI) * variance)) * std::exp(-d2 / (2.0f * variance));
      total += k[y * size + x];
    }
  for (float& v : k) v /= total;
  return from_vector<float>(k, {1, 1, size, size});
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
  Tensor k = to(gaussian_kernel(o.gaussian_size, o.gaussian_sigma), m.dtype());
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
