// predict: scores and heat maps for new images, no ground truth needed:
//
//   predict --run runs/line3 --out preds images/ more/part_17.png
//   predict --checkpoint model.pth --encoder vitb14 --out preds images/
//
// writes DIR/predictions.csv (path, score, normalised_score, label, heatmap, class,
// threshold, map, mask, overlay), DIR/heatmaps/<name>.png (the crop the network saw), and in
// the original image's frame DIR/maps/<name>.pfm, DIR/masks/<name>.png and
// DIR/overlays/<name>.png (apps/lib/frame_outputs.h), each name unique in the run
// (eval/output_names.h). --stdin keeps the model loaded and scores paths as they arrive
// (apps/lib/predict_stream.h).
// The label and the normalised score come from the operating point fitted at the end of
// training on held-out normal images (RUN/threshold.json): normalised 0.5 is the threshold.
// Each image is judged by its class's threshold (apps/lib/routing.h: --class, else a class
// folder in its path, else the pooled one); --threshold, --fpr and --pixel-threshold
// override them. A released checkpoint has no threshold: its labels and normalised scores
// are left empty.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "apps/lib/cli.h"
#include "apps/lib/frame_outputs.h"
#include "apps/lib/load_run.h"
#include "apps/lib/predict_stream.h"
#include "apps/lib/routing.h"
#include "apps/lib/scoring.h"
#include "apps/lib/threshold.h"
#include "data/files.h"
#include "data/loader.h"
#include "data/original_frame.h"
#include "eval/csv.h"
#include "eval/output_names.h"
#include "eval/report.h"
#include "eval/vis.h"
#include "tensor/ops.h"

using namespace dn;
using namespace dn::app;
namespace fs = std::filesystem;

namespace {

// Files as given, folders expanded (recursively, sorted).
std::vector<std::string> collect_images(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    DN_CHECK(fs::exists(p), p, ": no such file or folder");
    if (fs::is_directory(p)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && data::has_image_extension(e.path().string())) found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      DN_CHECK(!found.empty(), p, ": no images (png, jpg, jpeg, bmp, tif, tiff) in this folder");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      DN_CHECK(data::has_image_extension(p), p, ": not an image file (png, jpg, jpeg, bmp, tif, tiff)");
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"predict: anomaly scores, decisions and heat maps for new images"};
  CommonOptions common;
  add_common_options(app, common);
  ModelSource source;
  add_model_source_options(app, source);
  std::string out, class_name;
  std::vector<std::string> inputs;
  int64_t batch = 8;
  int workers = 2;
  bool no_heatmaps = false, no_crop = false, from_stdin = false;
  std::string maps = "map,mask,overlay";
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--class", class_name, "the class of every image: its threshold (and, for a class-separated "
                 "run, its model); default: a class folder in the image's path");
  ThresholdOverrides overrides;
  app.add_option("--threshold", overrides.image, "image threshold for every image, instead of the fitted ones");
  app.add_option("--fpr", overrides.fpr, "refit the image thresholds to this false-positive rate on the run's "
                 "held-out normal scores");
  app.add_option("--pixel-threshold", overrides.pixel, "pixel threshold (the heat maps' contour) for every image");
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--workers", workers, "data loading threads")->capture_default_str();
  app.add_flag("--no-heatmaps", no_heatmaps, "write predictions.csv only");
  app.add_option("--maps", maps, "outputs in the original image's frame: map (float PFM, NaN where not "
                 "inspected), mask (PNG at the pixel threshold), overlay (PNG), comma-separated, or none")
      ->capture_default_str();
  app.add_flag("--no-crop", no_crop, "resize the whole image to the crop size and inspect every pixel (NOT the "
               "reference's preprocessing, which resizes larger and centre-crops, leaving a border uninspected)");
  app.add_flag("--stdin", from_stdin, "keep the model loaded and read image paths from stdin, one per line; "
               "one JSON line per image on stdout");
  app.add_option("paths", inputs, "images or folders of images");
  return run_app("predict", app, argc, argv, [&]() -> int {
    const Device device = apply_common_options(common);
    DN_CHECK(!source.run_dir.empty() || !source.checkpoint.empty(), "give --run RUN or --checkpoint FILE");
    DN_CHECK(from_stdin != !inputs.empty(), from_stdin ? "--stdin reads the image paths from stdin: give no paths "
             "on the command line" : "give images or folders to score (or --stdin to read paths from stdin)");
    const FrameKinds frame_kinds = parse_frame_kinds(maps);
    LoadedRun run = open_model(source, common.seed, device);
    DN_CHECK(!run.separate() || !class_name.empty(), source.run_dir, ": a class-separated run: say which class's model "
             "to use with --class (one of its ", run.config.classes.size(), " classes)");
    const ClassRouter router(run.config.classes, class_name, source.run_dir);
    models::Dinomaly& model = run.model_for(class_name);
    const std::optional<Thresholds> fitted = deployed_thresholds(run, class_name, overrides);
    const bool has_op = fitted.has_value();
    const Thresholds thresholds = fitted.value_or(Thresholds{});
    bool noted_pooled = false;
    data::Preprocess pre = run.preprocess();
    if (no_crop) pre.resize = pre.crop;  // the whole image, squeezed to the crop size
    if (!has_op)
      std::fprintf(stderr, "note: %s has no threshold.json: labels and normalised scores are left empty\n",
                   source.run_dir.empty() ? source.checkpoint.c_str() : source.run_dir.c_str());
    if (from_stdin) {
      make_writable_dir(out);
      if (frame_kinds.any()) make_frame_dirs(out, frame_kinds, has_op);
      predict_stream({&model, fitted, &router, pre, device, out, frame_kinds}, std::cin, stdout);
      return 0;
    }

    data::SampleSet set;
    set.classes = {"predict"};
    const std::vector<std::string> images = collect_images(inputs);
    for (const std::string& p : images) set.samples.push_back({p, "", "predict", "", 0});
    // Every file is named before any is written: inputs that would share one stop the run here.
    const std::string heat_dir = join_path(out, "heatmaps");
    eval::OutputNames names;
    auto heat_file = [&](const std::string& image) {  // relative to DIR, as predictions.csv names it
      return no_heatmaps ? std::string() : join_path("heatmaps", names.file(image, ".png"));
    };
    auto files_of = [&](const std::string& image) {  // the original-frame files, relative to DIR
      return frame_kinds.any() ? frame_files(names.name(image), frame_kinds, has_op)
                               : FrameFiles{};
    };
    if (!no_heatmaps || frame_kinds.any()) {
      names = eval::OutputNames(images);
      std::vector<eval::PlannedFile> planned;
      for (const std::string& p : images)
        for (const std::string& f : {heat_file(p), files_of(p).map, files_of(p).mask, files_of(p).overlay})
          if (!f.empty()) planned.push_back({join_path(out, f), p});
      eval::check_distinct_targets(planned);
    }
    make_writable_dir(out);
    if (!no_heatmaps) make_writable_dir(heat_dir);
    if (frame_kinds.any()) make_frame_dirs(out, frame_kinds, has_op);

    data::LoaderOptions lo;
    lo.batch_size = batch;
    lo.workers = workers;
    lo.load_masks = false;
    data::Loader loader(set, pre, lo);
    std::ostringstream csv;
    csv << "path,score,normalised_score,label,heatmap,class,threshold,map,mask,overlay\n";
    int64_t n = 0, flagged = 0;
    for (data::Batch b; loader.next(b);) {
      Scored s = score_batch(model, kernel::to(b.images, device));
      std::vector<float> scores = to_vector<float>(s.scores);
      for (int64_t i = 0; i < b.size(); ++i) {
        const double score = scores[i];
        const std::string image_class = router.class_of(b.paths[i]);
        const OperatingPoint& op = thresholds.for_class(image_class);
        if (has_op && !run.separate() && !noted_pooled && !thresholds.has_class(image_class)) {
          noted_pooled = true;
          if (image_class.empty())
            std::fprintf(stderr, "note: %s names no class of the run in its folders: the pooled threshold judges it "
                                 "and any other such image (choose one with --class)\n", b.paths[i].c_str());
          else
            std::fprintf(stderr, "note: the run's threshold.json has no per-class thresholds (written before "
                                 "they existed): the pooled threshold judges every image\n");
        }
        // The score as eval's scores.csv prints it: the shortest text that reads back as the float.
        csv << eval::csv_field(b.paths[i]) << ',' << eval::exact_number(scores[i]) << ',';
        if (has_op) {
          flagged += op.anomalous(score);
          char normalised[32];
          std::snprintf(normalised, sizeof normalised, "%.4f", op.normalize(score));
          csv << normalised << ',' << (op.anomalous(score) ? "anomalous" : "normal") << ',';
        } else {
          csv << ",,";
        }
        const FrameFiles frame = files_of(b.paths[i]);
        csv << eval::csv_field(heat_file(b.paths[i])) << ',' << eval::csv_field(image_class) << ','
            << (has_op ? eval::exact_number(op.threshold) : "") << ',' << eval::csv_field(frame.map) << ','
            << eval::csv_field(frame.mask) << ',' << eval::csv_field(frame.overlay) << '\n';
        Tensor map_i = kernel::contiguous(kernel::narrow(s.maps, 0, i, 1));
        if (frame_kinds.any()) {  // the original image again: the loader kept only its crop
          const data::Image original = data::read_image(b.paths[i], 0);
          const std::vector<float> in_frame = data::map_to_original_frame(
              std::span<const float>(map_i.data<float>(), 256 * 256), 256, original.width, original.height, pre);
          write_frame_outputs(out, frame, original, in_frame, frame_style(has_op ? &op : nullptr, scores[i]));
        }
        if (no_heatmaps) continue;
        data::Image crop = crop_bytes(b.images, i, pre);
        eval::StripInput in;
        in.input = &crop;
        in.map = std::span<const float>(map_i.data<float>(), 256 * 256);
        in.map_height = in.map_width = 256;
        in.score = float(score);
        in.label = -1;
        in.caption = b.paths[i];
        eval::StripStyle style;
        if (has_op) {
          style.scale = op.map_scale;
          style.image_threshold = float(op.threshold);
          style.pixel_threshold = float(op.mask_threshold());
          style.threshold_note = overrides.image ? "threshold given with --threshold"
                                 : overrides.fpr ? "threshold refitted with --fpr on held-out normal training images"
                                                 : "threshold fitted on held-out normal training images";
        } else {
          style.scale = {0.0f, float(score) > 0 ? float(score) * 2 : 1.0f};
          style.threshold_note = "no threshold fitted";
        }
        data::write_png(join_path(out, heat_file(b.paths[i])), eval::render_strip(in, style));
      }
      n += b.size();
    }
    eval::write_text_atomic(join_path(out, "predictions.csv"), csv.str());
    if (has_op)
      std::printf("predict: %lld images, %lld anomalous; %s/predictions.csv\n", (long long)n, (long long)flagged,
                  out.c_str());
    else
      std::printf("predict: %lld images scored; %s/predictions.csv\n", (long long)n, out.c_str());
    return 0;
  });
}
