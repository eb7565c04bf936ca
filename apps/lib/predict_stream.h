// predict --stdin: the model stays loaded while image paths arrive one per line, and each
// image's result leaves as one JSON line as soon as it is scored (then the stream is
// flushed), so another program can drive predict through a pipe:
//
//   {"path":"a.png","class":null,"score":0.0123,"normalized_score":0.4217,"anomalous":false,
//    "map":"OUT/maps/000001_a.pfm"}
//   {"path":"broken.png","error":"broken.png: ..."}
//
// score prints as predictions.csv prints it (the shortest text that reads back as the float)
// and equals `predict --batch 1`'s score to the last bit; normalized_score and anomalous are
// null without a fitted threshold, class is the one whose thresholds judged the image
// (apps/lib/routing.h; null: the pooled ones), and map is the
// PFM's path (--out joined in front) or null when maps are not written. An image that cannot
// be read or scored gives an "error" line and the stream goes on; empty lines are skipped.
// Output names carry the line's sequence number (000001_<stem>), so two inputs with the
// same file name never share an output.
#pragma once
#include <cstdio>
#include <istream>
#include <optional>
#include <string>

#include "apps/lib/frame_outputs.h"
#include "apps/lib/routing.h"
#include "apps/lib/threshold.h"
#include "data/transforms.h"
#include "models/dinomaly.h"

namespace dn::app {

struct StreamSetup {
  models::Dinomaly* model = nullptr;
  std::optional<Thresholds> thresholds;  // none for bare weights: no labels, no masks
  const ClassRouter* router = nullptr;   // which class's thresholds judge an image
  data::Preprocess preprocess;
  Device device;
  std::string out;                       // the output folder (created by the caller)
  FrameKinds kinds;                      // which original-frame files to write
};

// The output name of the `sequence`-th image (counting from 1): 000001_<escaped stem>.
std::string stream_output_name(int64_t sequence, const std::string& path);

// Reads paths from `in` until its end, writing one JSON line per path to `out`. Returns
// how many images were scored (error lines not counted).
int64_t predict_stream(const StreamSetup& setup, std::istream& in, std::FILE* out);

}  // namespace dn::app
