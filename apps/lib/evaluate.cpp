#include "apps/lib/evaluate.h"

#include <cstdio>
#include <iostream>
#include <map>

#include "apps/lib/cli.h"
#include "apps/lib/load_run.h"
#include "apps/lib/run_dir.h"
#include "apps/lib/scoring.h"
#include "apps/lib/skipped.h"
#include "apps/lib/threshold.h"
#include "data/loader.h"
#include "eval/class_pictures.h"
#include "tensor/ops.h"

namespace dn::app {

constexpr const char* kPictureFolder = "vis";  // under the output folder

ThresholdForClass thresholds_of_run(const std::string& run_dir, bool separate) {
  return [run_dir, separate](const std::string& cls) -> std::optional<DeployedThreshold> {
    const std::optional<Thresholds> t = read_run_thresholds(run_dir, separate, cls);
    if (!t) return std::nullopt;
    return DeployedThreshold{t->for_class(cls).threshold, t->has_class(cls) ? "class" : "pooled"};
  };
}

eval::RunReport evaluate(const ModelForClass& model_for, const data::SampleSet& test,
                         const std::vector<std::string>& classes, const data::Preprocess& preprocess,
                         const EvalOptions& o) {
  // The strips' file names of every class, fixed before anything is written: two test
  // images that would share a name stop the run here, not after hours of evaluation.
  std::map<std::string, eval::OutputNames> strip_names;
  for (const std::string& cls : classes) {
    std::vector<std::string> paths;
    for (const data::Sample& s : test.only_class(cls).samples) paths.push_back(s.image_path);
    strip_names.emplace(cls, eval::OutputNames(paths));
  }
  make_writable_dir(o.out_dir);
  eval::RunReport report{o.setting, {}};
  std::vector<eval::ScoreRow> rows;
  SkippedImages skipped;
  const bool tty = stderr_is_terminal();
  for (const std::string& cls : classes) {
    data::SampleSet set = test.only_class(cls);
    if (set.empty()) {
      std::fprintf(stderr, "warning: class %s has no test images; skipped\n", cls.c_str());
      continue;
    }
    models::Dinomaly& model = model_for(cls);
    eval::ClassEvaluator evaluator(cls);
    eval::ClassPictures pictures(cls, o.vis_per_defect, strip_names.at(cls));
    data::LoaderOptions lo;
    lo.batch_size = o.batch;
    lo.workers = o.workers;
    lo.skip_corrupt = o.skip_corrupt;
    data::Loader loader(set, preprocess, lo);
    int64_t done = 0;
    for (data::Batch b; loader.next(b);) {
      Scored s = score_batch(model, kernel::to(b.images, o.device));
      Tensor masks = b.masks.defined() ? data::ground_truth_for_evaluation(b.masks, 256) : Tensor();
      std::vector<int> labels;
      for (int64_t v : to_vector<int64_t>(b.labels)) labels.push_back(int(v));
      evaluator.add_batch(b.paths, labels, s.scores, s.maps, masks);
      const std::vector<float> scores = to_vector<float>(s.scores);
      for (int64_t i = 0; i < b.size(); ++i) {
        Tensor map_i = kernel::contiguous(kernel::narrow(s.maps, 0, i, 1));
        std::span<const float> map(map_i.data<float>(), 256 * 256);
        std::span<const uint8_t> mask;
        Tensor mask_i;
        if (masks.defined()) {
          mask_i = kernel::contiguous(kernel::narrow(masks, 0, i, 1));
          mask = std::span<const uint8_t>(static_cast<const uint8_t*>(mask_i.data_ptr()), 256 * 256);
        }
        pictures.add(b.paths[i], labels[i], scores[i], crop_bytes(b.images, i, preprocess), map, mask, 256, 256);
      }
      done += b.size();
      if (!o.quiet && tty) std::fprintf(stderr, "\reval %s: %lld/%zu images", cls.c_str(), (long long)done, set.size());
    }
    if (!o.quiet) std::fprintf(stderr, tty ? "\n" : "eval %s: %lld images\n", cls.c_str(), (long long)done);
    skipped.add(loader.skipped());
    eval::ClassMetrics m = evaluator.finish();
    if (o.threshold_for)
      if (const auto deployed = o.threshold_for(cls))
        m.decisions = eval::count_decisions(evaluator.scores(), deployed->threshold, deployed->fitted_on);
    pictures.write(join_path(o.out_dir, kPictureFolder), m, evaluator.scores());
    for (eval::ScoreRow row : evaluator.scores()) {
      const std::string strip = pictures.strip_file(row.path);
      if (!strip.empty()) row.picture = join_path(kPictureFolder, strip);
      rows.push_back(std::move(row));
    }
    report.classes.push_back(std::move(m));
  }
  eval::write_reports(o.out_dir, report, rows);
  if (o.skip_corrupt) skipped.write(o.out_dir, "eval");
  eval::print_summary(std::cout, report);
  return report;
}

}  // namespace dn::app
