// write_synthetic_dataset: lays the synthetic images out in MVTec-AD layout, on a few
// threads, inside a temporary folder that is renamed into place at the end.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "data/files.h"
#include "data/synth.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

namespace fs = std::filesystem;

struct Job {
  int class_index, defect;  // defect -1: normal
  uint64_t stream;
  std::string image_path, mask_path;  // mask_path "" for normal images
};

std::string numbered(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", i);
  return buf;
}

// Streams: class in bits 24.., split in 20..23, index below. Distinct for every image.
uint64_t stream_of(int class_index, int split, int index) {
  return (uint64_t(class_index) << 24) | (uint64_t(split) << 20) | uint64_t(index);
}

std::vector<Job> plan(const std::string& dir, const SynthOptions& o) {
  std::vector<Job> jobs;
  const auto& defects = synth_defect_names();
  for (int c = 0; c < o.classes; ++c) {
    const std::string cls = join_path(dir, synth_class_names()[size_t(c)]);
    for (int i = 0; i < o.train; ++i)
      jobs.push_back({c, -1, stream_of(c, 0, i), cls + "/train/good/" + numbered(i) + ".png", ""});
    const int good = (o.test + 1) / 2, bad = o.test - good;
    for (int i = 0; i < good; ++i)
      jobs.push_back({c, -1, stream_of(c, 1, i), cls + "/test/good/" + numbered(i) + ".png", ""});
    std::vector<int> per_kind(defects.size(), 0);
    for (int i = 0; i < bad; ++i) {
      const int kind = i % int(defects.size());
      const std::string name = numbered(per_kind[size_t(kind)]++);
      const std::string& d = defects[size_t(kind)];
      jobs.push_back({c, kind, stream_of(c, 2, i), cls + "/test/" + d + "/" + name + ".png",
                      cls + "/ground_truth/" + d + "/" + name + "_mask.png"});
    }
  }
  return jobs;
}

void run_jobs(const std::vector<Job>& jobs, const SynthOptions& o) {
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (size_t i; (i = next++) < jobs.size();) {
      try {
        const Job& j = jobs[i];
        const SynthSample s = render_synth_sample(j.class_index, j.defect, o.seed, j.stream, o.size);
        make_directories(fs::path(j.image_path).parent_path().string());
        write_png(j.image_path, s.image);
        if (!j.mask_path.empty()) {
          make_directories(fs::path(j.mask_path).parent_path().string());
          write_png(j.mask_path, s.mask);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = jobs.size();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::max(1, o.threads); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

void write_manifest(const std::string& dir, const SynthOptions& o) {
  nlohmann::json j;
  j["generator"] = "dinomaly.cpp synth";
  j["seed"] = o.seed;
  j["size"] = o.size;
  j["train_per_class"] = o.train;
  j["test_per_class"] = o.test;
  j["classes"] = std::vector<std::string>(synth_class_names().begin(), synth_class_names().begin() + o.classes);
  j["defects"] = synth_defect_names();
  const std::string text = j.dump(2) + "\n";
  write_file_atomic(join_path(dir, "synth.json"), std::vector<uint8_t>(text.begin(), text.end()));
}

// Makes room for the new set at `root`, or explains why not.
void clear_destination(const std::string& root, bool replace) {
  std::error_code ec;
  if (!fs::exists(root, ec)) return;
  if (!fs::is_directory(root, ec)) fail("synth: '", root, "' exists and is not a folder");
  if (fs::is_empty(root, ec)) {
    fs::remove(root, ec);
    return;
  }
  if (!fs::exists(fs::path(root) / "synth.json", ec))
    fail("synth: '", root, "' exists and is not an earlier synthetic data set; choose another output folder");
  if (!replace) fail("synth: '", root, "' already holds a synthetic data set; replace it explicitly (synth --force)");
  fs::remove_all(root, ec);
  if (ec) fail("synth: cannot remove the old data set '", root, "': ", ec.message());
}

}  // namespace

SynthSummary write_synthetic_dataset(const std::string& root, const SynthOptions& o) {
  const int max_classes = int(synth_class_names().size());
  DN_CHECK(!root.empty(), "synth: no output folder given");
  DN_CHECK(o.classes >= 1 && o.classes <= max_classes, "synth: classes must be 1..", max_classes, ", got ", o.classes);
  DN_CHECK(o.train >= 1 && o.train <= 100000, "synth: train must be 1..100000 images per class, got ", o.train);
  DN_CHECK(o.test >= 2 && o.test <= 100000, "synth: test must be 2..100000 images per class, got ", o.test);
  DN_CHECK(o.size >= 32 && o.size <= 4096, "synth: size must be 32..4096 pixels, got ", o.size);
  DN_CHECK(o.threads >= 1, "synth: threads must be at least 1, got ", o.threads);

  const fs::path target = fs::absolute(root).lexically_normal();
  const std::string final_dir = (target.filename().empty() ? target.parent_path() : target).string();
  make_directories(fs::path(final_dir).parent_path().string());
  clear_destination(final_dir, o.replace);  // fail early, before drawing anything
  const std::string tmp = final_dir + ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    make_directories(tmp);
    run_jobs(plan(tmp, o), o);
    write_manifest(tmp, o);
    clear_destination(final_dir, o.replace);
    fs::rename(tmp, final_dir, ec);
    if (ec) fail("synth: cannot move the data set into '", final_dir, "': ", ec.message());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  SynthSummary s;
  s.classes.assign(synth_class_names().begin(), synth_class_names().begin() + o.classes);
  s.train_images = o.classes * o.train;
  s.test_images = o.classes * o.test;
  s.masks = o.classes * (o.test - (o.test + 1) / 2);
  return s;
}

}  // namespace dn::data
