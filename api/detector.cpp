// dn::Detector on the applications' own code: the model is opened by open_model (as eval
// and predict open it), images are decoded and preprocessed by the loader's functions
// (read_image, image_to_tensor), scored by score_batch and labelled by the run's
// OperatingPoint, so a Detector gives predict's numbers bit for bit (predict --batch 1).
#include "dinomaly/detector.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "apps/lib/cli.h"
#include "apps/lib/load_run.h"
#include "apps/lib/scoring.h"
#include "data/image.h"
#include "data/original_frame.h"
#include "tensor/ops.h"

namespace dn {

struct Detector::Impl {
  app::LoadedRun run;
  models::Dinomaly* model = nullptr;
  std::optional<app::OperatingPoint> op;
  data::Preprocess preprocess;
  Device device;

  static std::unique_ptr<Impl> open(const app::ModelSource& source, const DetectorOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->device = app::select_device(options.device, options.threads);
    impl->run = app::open_model(source, /*seed, unused by a trained model*/ 1, impl->device);
    impl->model = &impl->run.model_for(options.class_name);
    impl->op = impl->run.operating_point(options.class_name);
    impl->preprocess = impl->run.preprocess();
    if (options.no_crop) impl->preprocess.resize = impl->preprocess.crop;  // as predict --no-crop
    return impl;
  }

  Prediction predict(const data::Image& decoded) {
    Tensor image = kernel::unsqueeze(data::image_to_tensor(decoded, preprocess), 0);
    app::Scored s = app::score_batch(*model, kernel::to(image, device));
    Prediction p;
    p.score = double(s.scores.data<float>()[0]);
    p.normalized_score = op ? op->normalize(p.score) : std::numeric_limits<double>::quiet_NaN();
    p.anomalous = op ? int(op->anomalous(p.score)) : -1;
    Tensor map = kernel::contiguous(s.maps);
    const int side = int(map.size(-1));
    p.width = decoded.width;
    p.height = decoded.height;
    p.map = data::map_to_original_frame(std::span<const float>(map.data<float>(), size_t(side) * side), side,
                                        decoded.width, decoded.height, preprocess);
    return p;
  }
};

Detector::Detector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;
Detector::~Detector() = default;

Detector Detector::open(const std::string& run_dir, const DetectorOptions& options) {
  DN_CHECK(!run_dir.empty(), "Detector::open: no run directory given");
  app::ModelSource source;
  source.run_dir = run_dir;
  return Detector(Impl::open(source, options));
}

Detector Detector::open_checkpoint(const CheckpointSource& c, const DetectorOptions& options) {
  DN_CHECK(!c.checkpoint.empty(), "Detector::open_checkpoint: no checkpoint file given");
  app::ModelSource source;
  source.checkpoint = c.checkpoint;
  source.encoder = c.encoder;
  source.encoder_weights = c.encoder_weights;
  source.resize = c.resize;
  source.crop = c.crop;
  return Detector(Impl::open(source, options));
}

Prediction Detector::predict(const std::string& image_path) {
  DN_CHECK(impl_, "Detector::predict: this Detector was moved from");
  return impl_->predict(data::read_image(image_path, 0));
}

Prediction Detector::predict_rgb(const unsigned char* rgb, int width, int height) {
  DN_CHECK(impl_, "Detector::predict_rgb: this Detector was moved from");
  DN_CHECK(rgb != nullptr, "Detector::predict_rgb: no pixels (null pointer)");
  DN_CHECK(width > 0 && height > 0, "Detector::predict_rgb: image size ", width, " x ", height,
           " (both must be positive)");
  data::Image image(width, height, 3);
  std::memcpy(image.pixels.data(), rgb, image.pixels.size());
  return impl_->predict(image);
}

bool Detector::has_threshold() const { return impl_ && impl_->op.has_value(); }

double Detector::threshold() const {
  return has_threshold() ? impl_->op->threshold : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace dn
