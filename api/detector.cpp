// dn::Detector on the applications' own code: the model is opened by open_model (as eval
// and predict open it), images are decoded and preprocessed by the loader's functions
// (read_image, image_to_tensor), scored by score_batch and labelled by the run's
// thresholds routed to a class as predict routes them (apps/lib/routing.h), so a Detector
// gives predict's numbers and labels bit for bit (predict --batch 1).
#include "dinomaly/detector.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "apps/lib/cli.h"
#include "apps/lib/load_run.h"
#include "apps/lib/routing.h"
#include "apps/lib/scoring.h"
#include "data/image.h"
#include "data/original_frame.h"
#include "tensor/ops.h"

namespace dn {

struct Detector::Impl {
  app::LoadedRun run;
  models::Dinomaly* model = nullptr;
  std::optional<app::ClassRouter> router;
  std::optional<app::Thresholds> thresholds;
  std::string class_name;  // DetectorOptions::class_name
  data::Preprocess preprocess;
  Device device;

  static std::unique_ptr<Impl> open(const app::ModelSource& source, const DetectorOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->device = app::select_device(options.device, options.threads);
    impl->run = app::open_model(source, /*seed, unused by a trained model*/ 1, impl->device);
    impl->router.emplace(impl->run.config.classes, options.class_name, source.run_dir);
    impl->model = &impl->run.model_for(options.class_name);
    impl->thresholds = app::deployed_thresholds(impl->run, options.class_name, {});
    impl->class_name = options.class_name;
    impl->preprocess = impl->run.preprocess();
    if (options.no_crop) impl->preprocess.resize = impl->preprocess.crop;  // as predict --no-crop
    return impl;
  }

  // The operating point for a class ("": the pooled one), if the run has thresholds.
  const app::OperatingPoint* op_for(const std::string& cls) const {
    return thresholds ? &thresholds->for_class(cls) : nullptr;
  }

  // The class an explicitly named class resolves to: checked against the run's classes, and
  // for a class-separated run it must be the class opened (its model).
  std::string checked_class(const std::string& cls) const {
    app::check_class(cls, run.config.classes, run.dir);
    DN_CHECK(!run.separate() || cls == class_name, "Detector::predict: class '", cls, "' is not the class this "
             "detector of a class-separated run was opened for ('", class_name, "')");
    return cls;
  }

  Prediction predict(const data::Image& decoded, const app::OperatingPoint* op) {
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
  return impl_->predict(data::read_image(image_path, 0), impl_->op_for(impl_->router->class_of(image_path)));
}

Prediction Detector::predict(const std::string& image_path, const std::string& class_name) {
  DN_CHECK(impl_, "Detector::predict: this Detector was moved from");
  const app::OperatingPoint* op = impl_->op_for(impl_->checked_class(class_name));
  return impl_->predict(data::read_image(image_path, 0), op);
}

Prediction Detector::predict_rgb(const unsigned char* rgb, int width, int height) {
  DN_CHECK(impl_, "Detector::predict_rgb: this Detector was moved from");
  DN_CHECK(rgb != nullptr, "Detector::predict_rgb: no pixels (null pointer)");
  DN_CHECK(width > 0 && height > 0, "Detector::predict_rgb: image size ", width, " x ", height,
           " (both must be positive)");
  data::Image image(width, height, 3);
  std::memcpy(image.pixels.data(), rgb, image.pixels.size());
  return impl_->predict(image, impl_->op_for(impl_->class_name));
}

bool Detector::has_threshold() const { return impl_ && impl_->thresholds.has_value(); }

double Detector::threshold() const {
  return has_threshold() ? impl_->op_for(impl_->class_name)->threshold : std::numeric_limits<double>::quiet_NaN();
}

double Detector::pixel_threshold() const {
  const app::OperatingPoint* op = has_threshold() ? impl_->op_for(impl_->class_name) : nullptr;
  return op && op->pixel_threshold ? *op->pixel_threshold : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace dn
