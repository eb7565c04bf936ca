// eval: the seven metrics, reports and pictures of a trained run on a data set's test split
// (docs/reference.md §6), or of the authors' released checkpoint:
//
//   eval --run runs/mvtec --data mvtec --out runs/mvtec/eval2
//   eval --checkpoint model.pth --encoder vitb14 --data mvtec --out eval_official
//
// writes DIR/metrics.json, metrics.csv, metrics.md, scores.csv and pictures under DIR/vis/.
#include <cstdio>

#include "apps/lib/cli.h"
#include "apps/lib/data_options.h"
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
  std::string out;
  DataSource data;
  int64_t batch = 16, vis = 2;
  int workers = 2;
  add_data_options(app, data, "data set root");
  app.add_option("--out", out, "output directory")->required();
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
    data::Dataset ds = open_data(data, /*need_train=*/false);
    DN_CHECK(!ds.test.empty(), ds.root, ": has no test images to evaluate");
    if (run.separate())
      for (const std::string& c : ds.classes) run.model_for(c);  // fails early for an unknown class
    EvalOptions eo;
    eo.out_dir = out;
    eo.vis_per_defect = int(vis);
    eo.batch = batch;
    eo.workers = workers;
    eo.device = device;
    eo.setting = run.config.setting;
    eo.skip_corrupt = data.skip_corrupt;
    if (!run.dir.empty()) eo.threshold_for = thresholds_of_run(run.dir, run.separate());
    evaluate([&](const std::string& cls) -> models::Dinomaly& { return run.model_for(cls); }, ds.test,
             ds.classes, run.preprocess(), eo);
    std::fprintf(stderr, "reports in %s, pictures in %s/vis\n", out.c_str(), out.c_str());
    return 0;
  });
}
