// dinomaly.cpp's C++ interface: a trained Dinomaly model inside your own program.
//
//   #include <dinomaly/detector.h>
//
//   dn::Detector detector = dn::Detector::open("runs/line3");            // or open_checkpoint
//   dn::Prediction p = detector.predict("part_17.png");                  // or predict_rgb(...)
//   std::printf("%g %s\n", p.score, p.anomalous == 1 ? "anomalous" : "normal");
//
// Build:  c++ -std=c++17 my_program.cpp $(pkg-config --cflags --libs dinomaly)
//
// A Detector scores an image exactly as the `predict` command does (same decoding, Pillow-
// exact resize and crop, network and score): the same numbers, bit for bit, as
// `predict --batch 1`. (predict's default batches of 8 can move a score in its last bits,
// about 1e-7 relative: some kernels sum in a batch-dependent order.) Failures throw
// a std::exception whose what() names the file and what is wrong. One Detector serves one
// call at a time; use one per thread to predict in parallel. The C interface for other
// languages is <dinomaly/dinomaly.h>.
#pragma once
#include <memory>
#include <string>
#include <vector>

#if defined(_WIN32)
#define DN_API __declspec(dllexport)
#else
#define DN_API __attribute__((visibility("default")))
#endif

namespace dn {

struct DetectorOptions {
  std::string device = "cpu";  // "cpu", "cuda" or "cuda:N"
  std::string class_name;      // a class-separated run: which class's model (required there);
                               // a multi-class run: whose thresholds judge every image (else an
                               // image file is judged by the class named by a folder of its path,
                               // as `predict` does, and anything else by the pooled threshold)
  int threads = 0;             // CPU threads; 0 leaves the process's setting (all cores)
  // true: resize the whole image to the crop size, so every pixel is inspected and the map
  // has no NaN border. NOT the reference's preprocessing (resize larger, then centre-crop),
  // which the model was trained with: scores are then not predict's default ones (they are
  // `predict --no-crop`'s) and the threshold was fitted without it.
  bool no_crop = false;
};

// A Dinomaly checkpoint (a ViTill state_dict such as the authors' released model.pth) and
// what it needs around it. It carries no threshold: its predictions have no label.
struct CheckpointSource {
  std::string checkpoint;
  std::string encoder = "vitb14";  // vits14, vitb14 or vitl14
  std::string encoder_weights;     // DINOv2 weights, if the checkpoint does not hold the encoder
  int resize = 448, crop = 392;    // the preprocessing the checkpoint was trained with
};

struct Prediction {
  double score = 0;             // the image's anomaly score (the mean of the map's top 1 %)
  double normalized_score = 0;  // 0 at the median normal image, 0.5 at the threshold, clipped
                                // to [0, 1]; NaN without a fitted threshold
  int anomalous = -1;           // 1 anomalous, 0 normal (score >= threshold), -1: no threshold
  // The anomaly map at the original image's size, row-major (pixel (x, y) at y * width + x),
  // in the score's units. The network sees only the centre crop of the resized image; the
  // band the crop leaves out (6.25 % of each side with the default 448 -> 392) was not
  // inspected and is NaN there (there is no such band with DetectorOptions::no_crop).
  int width = 0, height = 0;
  std::vector<float> map;
};

class DN_API Detector {
 public:
  // A run directory made by `train` (model.safetensors, config.json, threshold.json).
  static Detector open(const std::string& run_dir, const DetectorOptions& options = {});
  static Detector open_checkpoint(const CheckpointSource& source, const DetectorOptions& options = {});

  Detector(Detector&&) noexcept;
  Detector& operator=(Detector&&) noexcept;
  ~Detector();

  // An image file (PNG, JPEG, BMP), decoded as `predict` decodes it.
  Prediction predict(const std::string& image_path);
  // The same, judged by that class's thresholds (one of the run's classes; for a
  // class-separated run, the class the detector was opened for).
  Prediction predict(const std::string& image_path, const std::string& class_name);
  // An image in memory: width x height pixels of 8-bit RGB, rows top to bottom, packed
  // (3 * width bytes per row).
  Prediction predict_rgb(const unsigned char* rgb, int width, int height);

  // The thresholds of DetectorOptions::class_name (the pooled ones without a class).
  bool has_threshold() const;
  double threshold() const;        // the image threshold; NaN without one
  double pixel_threshold() const;  // the map value above which a pixel is anomalous; NaN without
                                   // one (also for a run trained before pixel thresholds existed)

 private:
  struct Impl;
  explicit Detector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dn
