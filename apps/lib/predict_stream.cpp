#include "apps/lib/predict_stream.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "apps/lib/run_dir.h"
#include "apps/lib/scoring.h"
#include "data/original_frame.h"
#include "eval/csv.h"
#include "eval/output_names.h"
#include "tensor/ops.h"

namespace dn::app {

namespace {

// A JSON string; bytes that are not UTF-8 (a path can hold any) become U+FFFD instead of
// making the line unwritable.
std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One image: decode, score, write its files, and the JSON line (without the newline).
std::string score_one(const StreamSetup& s, const std::string& path, int64_t sequence) {
  const data::Image decoded = data::read_image(path, 0);  // as the Detector and the loader decode it
  Tensor image = kernel::unsqueeze(data::image_to_tensor(decoded, s.preprocess), 0);
  Scored scored = score_batch(*s.model, kernel::to(image, s.device));
  const float score = scored.scores.data<float>()[0];
  const std::string image_class = s.router->class_of(path);
  const OperatingPoint* op = s.thresholds ? &s.thresholds->for_class(image_class) : nullptr;
  const FrameFiles files = frame_files(stream_output_name(sequence, path), s.kinds, op != nullptr);
  if (s.kinds.any()) {
    Tensor map = kernel::contiguous(scored.maps);
    const int side = int(map.size(-1));
    const std::vector<float> frame = data::map_to_original_frame(
        std::span<const float>(map.data<float>(), size_t(side) * side), side, decoded.width, decoded.height,
        s.preprocess);
    write_frame_outputs(s.out, files, decoded, frame, frame_style(op, score));
  }
  std::string line = "{\"path\":" + json_string(path);
  line += ",\"class\":" + (image_class.empty() ? std::string("null") : json_string(image_class));
  line += ",\"score\":" + eval::exact_number(score);
  if (op) {
    char normalised[32];  // as predictions.csv prints it
    std::snprintf(normalised, sizeof normalised, "%.4f", op->normalize(score));
    line += std::string(",\"normalized_score\":") + normalised;
    line += std::string(",\"anomalous\":") + (op->anomalous(score) ? "true" : "false");
  } else {
    line += ",\"normalized_score\":null,\"anomalous\":null";
  }
  line += ",\"map\":" + (files.map.empty() ? std::string("null") : json_string(join_path(s.out, files.map)));
  return line + "}";
}

}  // namespace

std::string stream_output_name(int64_t sequence, const std::string& path) {
  char number[24];
  std::snprintf(number, sizeof number, "%06lld_", static_cast<long long>(sequence));
  return number + eval::escape_name_part(std::filesystem::path(path).stem().string());
}

int64_t predict_stream(const StreamSetup& setup, std::istream& in, std::FILE* out) {
  int64_t sequence = 0, scored = 0;
  for (std::string path; std::getline(in, path);) {
    if (!path.empty() && path.back() == '\r') path.pop_back();  // a line from Windows
    if (path.empty()) continue;
    ++sequence;
    std::string line;
    try {
      line = score_one(setup, path, sequence);
      ++scored;
    } catch (const std::exception& e) {  // this image only: the stream goes on
      line = "{\"path\":" + json_string(path) + ",\"error\":" + json_string(e.what()) + "}";
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
    std::fflush(out);
  }
  return scored;
}

}  // namespace dn::app
