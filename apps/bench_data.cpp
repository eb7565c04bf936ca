// bench_data: images per second for decode + resize + crop + normalise, the project's
// loader against Pillow + torchvision (tools/data/bench_pillow.py) in the same run.
//
//   bench_data                                 the magnetic-tile set, 2 threads
//   bench_data --data DIR --threads 2 --repeat 3
//
// Both sides read the same files (every train and test image, no masks), after one pass
// that warms the page cache, and the passes alternate (ours, Pillow, ours, Pillow, ...) so
// that a busy machine slows both alike; the best pass of each is reported. Prints two
// readable lines and one JSON line. A benchmark, not a test: it asserts nothing.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "data/dataset.h"
#include "data/files.h"
#include "data/loader.h"
#include "tensor/error.h"

namespace {

using Clock = std::chrono::steady_clock;

// All train and test images of every class in one set.
dn::data::SampleSet all_images(const dn::data::Dataset& ds) {
  dn::data::SampleSet set = ds.train;
  set.samples.insert(set.samples.end(), ds.test.samples.begin(), ds.test.samples.end());
  set.has_masks = false;
  return set;
}

double time_ours(const dn::data::SampleSet& set, const dn::data::Preprocess& p, int threads, int batch) {
  const auto start = Clock::now();
  dn::data::LoaderOptions o;
  o.batch_size = batch;
  o.workers = threads;
  o.load_masks = false;
  dn::data::Loader loader(set, p, o);
  int64_t count = 0;
  for (dn::data::Batch b; loader.next(b);) count += b.size();
  DN_CHECK(count == int64_t(set.size()), "bench_data: loader gave ", count, " of ", set.size(), " images");
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs the Python peer once; returns its JSON line ("" if it could not run).
std::string run_peer(const std::string& python, const std::string& script, const std::string& data,
                     const dn::data::Preprocess& p, int threads, int batch) {
  const std::string cmd = "'" + python + "' '" + script + "' --data '" + data + "' --workers " +
                          std::to_string(threads) + " --batch " + std::to_string(batch) + " --resize " +
                          std::to_string(p.resize) + " --crop " + std::to_string(p.crop) + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe.get())) out += buf;
  const size_t brace = out.rfind("{\"img_s\"");
  if (brace == std::string::npos) {
    std::fprintf(stderr, "bench_data: the Pillow peer failed:\n%s", out.c_str());
    return "";
  }
  return out.substr(brace, out.find('}', brace) - brace + 1);
}

double json_number(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\": ");
  return at == std::string::npos ? 0.0 : std::atof(json.c_str() + at + key.size() + 4);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source_root = DN_SOURCE_ROOT;
  std::string data = source_root + "/../shared/data/magnetic_tile";
  std::string python = "/usr/bin/python3", script = source_root + "/tools/data/bench_pillow.py";
  int threads = 2, batch = 16, repeat = 2;
  bool no_peer = false;
  dn::data::Preprocess p;
  CLI::App app{"bench_data: preprocessing throughput (decode, resize, crop, normalise), this project's "
               "loader against Pillow + torchvision in the same run"};
  app.add_option("--data", data, "data set root")->capture_default_str();
  app.add_option("--threads", threads, "loader threads / DataLoader worker processes")->capture_default_str();
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--resize", p.resize, "resize to this square")->capture_default_str();
  app.add_option("--crop", p.crop, "centre crop")->capture_default_str();
  app.add_option("--repeat", repeat, "timed passes of each side (the best is reported)")->capture_default_str();
  app.add_option("--python", python, "interpreter with Pillow, torch and torchvision")->capture_default_str();
  app.add_option("--peer", script, "the Pillow + torchvision script")->capture_default_str();
  app.add_flag("--no-peer", no_peer, "measure only this project's loader");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "bench_data: error: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    DN_CHECK(threads >= 1 && batch >= 1 && repeat >= 1, "bench_data: threads, batch and repeat must be >= 1");
    const dn::data::Dataset ds = dn::data::open_dataset(data);
    const dn::data::SampleSet set = all_images(ds);
    for (const auto& s : set.samples) dn::data::read_file_bytes(s.image_path);  // warm the page cache
    if (!no_peer && !dn::data::is_regular_file(script)) no_peer = true;
    double ours = 1e30, peer = 1e30;
    std::string peer_json;
    for (int r = 0; r < repeat; ++r) {
      ours = std::min(ours, time_ours(set, p, threads, batch));
      if (!no_peer) {
        const std::string j = run_peer(python, script, data, p, threads, batch);
        if (!j.empty()) {
          peer_json = j;
          peer = std::min(peer, json_number(j, "seconds"));
        }
      }
    }
    const double n = double(set.size());
    std::printf("dinomaly.cpp loader : %8.1f images/s  (%zu images, %d threads, %dx%d -> %d, best of %d)\n",
                n / ours, set.size(), threads, p.resize, p.resize, p.crop, repeat);
    if (!peer_json.empty())
      std::printf("Pillow + torchvision: %8.1f images/s  (DataLoader, %d worker processes)   ratio %.2fx\n",
                  n / peer, threads, peer / ours);
    else
      std::printf("Pillow + torchvision: not measured (%s)\n", no_peer ? "--no-peer or no script" : "the peer failed");
    std::printf("{\"images\": %zu, \"threads\": %d, \"resize\": %d, \"crop\": %d, \"ours_img_s\": %.2f, "
                "\"pillow_img_s\": %s, \"peer\": %s}\n",
                set.size(), threads, p.resize, p.crop, n / ours,
                peer_json.empty() ? "null" : std::to_string(n / peer).c_str(),
                peer_json.empty() ? "null" : peer_json.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_data: error: %s\n", e.what());
    return 1;
  }
}
