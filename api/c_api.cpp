// The C interface (dinomaly/dinomaly.h) over dn::Detector: every call catches every
// exception and turns it into a return value and a message, so none crosses into C.
#include "dinomaly/dinomaly.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "dinomaly/detector.h"

struct dn_detector {
  dn::Detector detector;
  std::vector<float> map;  // the last result's map, which dn_result::map points into
};

namespace {

void write_error(char* err, size_t err_len, const std::string& message) {
  if (err == nullptr || err_len == 0) return;
  const size_t n = std::min(message.size(), err_len - 1);
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

// Runs body; on any exception writes its message into err and returns false.
bool guarded(char* err, size_t err_len, const std::function<void()>& body) {
  try {
    body();
    write_error(err, err_len, "");
    return true;
  } catch (const std::bad_alloc&) {
    write_error(err, err_len, "out of memory");
  } catch (const std::exception& e) {
    write_error(err, err_len, e.what());
  } catch (...) {
    write_error(err, err_len, "unknown error");
  }
  return false;
}

dn_detector* open_with(char* err, size_t err_len, const std::function<dn::Detector()>& open) {
  dn_detector* d = nullptr;
  guarded(err, err_len, [&] { d = new dn_detector{open(), {}}; });
  return d;
}

dn::DetectorOptions options(const char* device, const char* class_name) {
  dn::DetectorOptions o;
  if (device != nullptr) o.device = device;
  if (class_name != nullptr) o.class_name = class_name;
  return o;
}

int predict_with(dn_detector* d, dn_result* out, char* err, size_t err_len, const char* what,
                 const std::function<dn::Prediction(dn::Detector&)>& predict) {
  if (out != nullptr) *out = dn_result{};
  return guarded(err, err_len, [&] {
    if (d == nullptr) throw std::invalid_argument(std::string(what) + ": the detector is NULL");
    if (out == nullptr) throw std::invalid_argument(std::string(what) + ": the result pointer is NULL");
    dn::Prediction p = predict(d->detector);
    d->map = std::move(p.map);
    out->score = p.score;
    out->normalized_score = p.normalized_score;
    out->anomalous = p.anomalous;
    out->width = p.width;
    out->height = p.height;
    out->map = d->map.data();
  }) ? 0 : 1;
}

}  // namespace

extern "C" {

dn_detector* dn_open(const char* run_dir, const char* device, char* err, size_t err_len) {
  return dn_open_class(run_dir, nullptr, device, err, err_len);
}

dn_detector* dn_open_class(const char* run_dir, const char* class_name, const char* device, char* err,
                           size_t err_len) {
  return open_with(err, err_len, [&] {
    if (run_dir == nullptr) throw std::invalid_argument("dn_open: the run directory is NULL");
    return dn::Detector::open(run_dir, options(device, class_name));
  });
}

dn_detector* dn_open_checkpoint(const char* checkpoint, const char* encoder, const char* encoder_weights,
                                int resize, int crop, const char* device, char* err, size_t err_len) {
  return open_with(err, err_len, [&] {
    if (checkpoint == nullptr) throw std::invalid_argument("dn_open_checkpoint: the checkpoint is NULL");
    dn::CheckpointSource source;
    source.checkpoint = checkpoint;
    if (encoder != nullptr) source.encoder = encoder;
    if (encoder_weights != nullptr) source.encoder_weights = encoder_weights;
    if (resize != 0) source.resize = resize;
    if (crop != 0) source.crop = crop;
    return dn::Detector::open_checkpoint(source, options(device, nullptr));
  });
}

int dn_predict_file(dn_detector* detector, const char* image_path, dn_result* out, char* err, size_t err_len) {
  return predict_with(detector, out, err, err_len, "dn_predict_file", [&](dn::Detector& d) {
    if (image_path == nullptr) throw std::invalid_argument("dn_predict_file: the image path is NULL");
    return d.predict(image_path);
  });
}

int dn_predict_rgb(dn_detector* detector, const unsigned char* rgb, int width, int height, dn_result* out,
                   char* err, size_t err_len) {
  return predict_with(detector, out, err, err_len, "dn_predict_rgb",
                      [&](dn::Detector& d) { return d.predict_rgb(rgb, width, height); });
}

double dn_threshold(const dn_detector* detector) {
  return detector ? detector->detector.threshold() : std::numeric_limits<double>::quiet_NaN();
}

double dn_pixel_threshold(const dn_detector* detector) {
  return detector ? detector->detector.pixel_threshold() : std::numeric_limits<double>::quiet_NaN();
}

void dn_close(dn_detector* detector) { delete detector; }

}  // extern "C"
