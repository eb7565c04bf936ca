// eval: the seven metrics, reports and pictures of a trained run on a data set's test split
// (reference §6), or of the authors' released checkpoint:
//
//   eval --run runs/mvtec --data mvtec --out runs/mvtec/eval2
//   eval --checkpoint model.pth --encoder vitb14 --data mvtec --out eval_official
//
// writes DIR/metrics.json, metrics.csv, metrics.md, scores.csv and pictures under DIR/vis/.
#include <cstdio>

#include "apps/lib/cli.h"
#include "apps/lib/evaluate.h"
#include "apps/lib/load_run.h"

using namespace dn;
using namespace dn::app;

int main(int argc, char** argv) {
  CLI::App app{"eval: metrics, reports and pictures of a run (or a released checkpoint) on a test split"};
  CommonOptions common;
  add_common_options(app, common);
  ModelSource source;
  add_model_source_options(app, source);
  std::string data_root, out, classes_csv, layout = "auto";
  int64_t batch = 16, vis = 2;
  int workers = 2;
  app.add_option("--data", data_root, "data set root")->required();
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--classes", classes_csv, "comma-separated classes (default: all of the data set)");
  app.add_option("--layout", layout, "auto, mvtec, realiad or folder")->capture_default_str();
  app.add_option("--vis", vis, "picture strips per defect type")->capture_default_str();
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--workers", workers, "data loading threads")->capture_default_str();
  return run_app("eval", app, argc, argv, [&]() -> int {
    const Device device = apply_common_options(common);
    DN_CHECK(!source.run_dir.empty() || !source.checkpoint.empty(), "give --run RUN or --checkpoint FILE");
    make_writable_dir(out);
    LoadedRun run = open_model(source, common.seed, device);
    if (run.config.encoder_weights == "random")
      std::fprintf(stderr, "note: this run's encoder is random (untrained): a demonstration\n");
    data::DatasetOptions dopt;
    dopt.layout = data::parse_layout(layout);
    std::stringstream ss(classes_csv);
    for (std::string c; std::getline(ss, c, ',');) dopt.classes.push_back(c);
    data::Dataset ds = data::open_dataset(data_root, dopt);
    DN_CHECK(!ds.test.empty(), data_root, ": has no test images to evaluate");
    if (run.separate())
      for (const std::string& c : ds.classes) run.model_for(c);  // fails early for an unknown class
    EvalOptions eo;
    eo.out_dir = out;
    eo.vis_per_defect = int(vis);
    eo.batch = batch;
    eo.workers = workers;
    eo.device = device;
    eo.setting = run.config.setting;
    if (!run.dir.empty()) eo.threshold_for = thresholds_of_run(run.dir, run.separate());
    evaluate([&](const std::string& cls) -> models::Dinomaly& { return run.model_for(cls); }, ds.test,
             ds.classes, run.preprocess(), eo);
    std::fprintf(stderr, "reports in %s, pictures in %s/vis\n", out.c_str(), out.c_str());
    return 0;
  });
}
