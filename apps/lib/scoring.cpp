#include "apps/lib/scoring.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace dn::app {

Scored score_batch(models::Dinomaly& model, const Tensor& images) {
  NoGradGuard guard;
  model.eval();
  models::Features f = model.forward(images);
  f.encoder_layers.clear();  // not needed: free them early
  Tensor maps = models::anomaly_map(f.en, f.de, images.size(-1));
  Tensor scores = models::image_scores(maps);
  return {kernel::to(kernel::to(maps, Device::cpu()), DType::f32),
          kernel::to(kernel::to(scores, Device::cpu()), DType::f32)};
}

data::Image crop_bytes(const Tensor& images, int64_t index, const data::Preprocess& p) {
  Tensor one = kernel::contiguous(kernel::to(kernel::to(kernel::narrow(images, 0, index, 1), Device::cpu()), DType::f32));
  const int c = int(one.size(2)), w = int(one.size(3));
  const float* x = one.data<float>();
  data::Image img(w, c, 3);
  for (int ch = 0; ch < 3; ++ch)
    for (int i = 0; i < c * w; ++i) {
      const double v = (double(x[ch * c * w + i]) * p.std[ch] + p.mean[ch]) * 255.0;
      img.pixels[size_t(i) * 3 + ch] = uint8_t(std::lround(std::min(255.0, std::max(0.0, v))));
    }
  return img;
}

}  // namespace dn::app
