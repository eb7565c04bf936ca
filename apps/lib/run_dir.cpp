#include "apps/lib/run_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"
#include "tensor/io/atomic_file.h"
#include "tensor/io/checkpoint.h"
#include "tensor/io/safetensors.h"

namespace dn::app {

namespace fs = std::filesystem;

bool file_exists(const std::string& path) { return fs::exists(path); }

void make_writable_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  DN_CHECK(!ec && fs::is_directory(dir), dir, ": cannot create the directory (", ec.message(), ")");
  DN_CHECK(access(dir.c_str(), W_OK) == 0, dir, ": the directory is not writable");
}

void write_run_config(const std::string& run_dir, const RunConfig& c) {
  nlohmann::ordered_json j;
  j["format"] = kRunFormat;
  j["version"] = kRunVersion;
  j["setting"] = c.setting;
  j["classes"] = c.classes;
  j["model"] = models::to_json(c.model);
  j["encoder_weights"] = c.encoder_weights;
  j["encoder_seed"] = c.encoder_seed;
  j["train"] = c.train;
  const std::string text = j.dump(2) + "\n";
  const std::string path = join_path(run_dir, "config.json");
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, text.data(), text.size(), path); });
}

RunConfig read_run_config(const std::string& run_dir) {
  const std::string path = join_path(run_dir, "config.json");
  DN_CHECK(fs::is_directory(run_dir), run_dir, ": no such run directory");
  std::ifstream in(path);
  DN_CHECK(in.good(), path, ": missing (is ", run_dir, " a run directory made by train?)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": not valid JSON (", e.what(), ")");
  }
  DN_CHECK(j.is_object() && j.value("format", "") == kRunFormat, path, ": not a dinomaly.cpp run "
           "configuration");
  const int version = j.value("version", 0);
  DN_CHECK(version == kRunVersion, path, ": run format version ", version, ", this build reads "
           "version ", kRunVersion);
  RunConfig c;
  try {
    c.setting = j.at("setting").get<std::string>();
    c.classes = j.at("classes").get<std::vector<std::string>>();
    c.model = models::config_from_json(j.at("model"));
    c.encoder_weights = j.at("encoder_weights").get<std::string>();
    c.encoder_seed = j.at("encoder_seed").get<uint64_t>();
    c.train = j.at("train");
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": ", e.what());
  } catch (const Error& e) {
    fail(path, ": ", e.what());
  }
  DN_CHECK(c.setting == "multi" || c.setting == "separate", path, ": unknown setting '", c.setting, "'");
  return c;
}

void save_model(const std::string& path, const models::Dinomaly& model) {
  io::write_safetensors(path, model.state_dict(), {{"format", "pt"}, {"producer", "dinomaly.cpp"}});
}

void load_model(const std::string& path, models::Dinomaly& model) {
  DN_CHECK(file_exists(path), path, ": no such checkpoint");
  model.load_state_dict(io::read_checkpoint(path), true, path);
}

void save_training_state(const std::string& path, const optim::Adam& optimizer, const TrainingState& s) {
  io::NamedTensors t;
  t.emplace_back("meta.step", from_vector<int64_t>({s.step}, {}));
  t.emplace_back("meta.dropout_seed", from_vector<int64_t>({int64_t(s.dropout_seed)}, {}));
  t.emplace_back("meta.dropout_offset", from_vector<int64_t>({int64_t(s.dropout_offset)}, {}));
  for (auto& [name, tensor] : optimizer.state_dict()) t.emplace_back("adam." + name, tensor);
  io::write_safetensors(path, t, {{"producer", "dinomaly.cpp"}});
}

TrainingState load_training_state(const std::string& path, optim::Adam& optimizer) {
  DN_CHECK(file_exists(path), path, ": missing, so the run cannot be resumed");
  io::NamedTensors all = io::read_checkpoint(path);
  TrainingState s;
  io::NamedTensors adam;
  bool has_step = false;
  for (auto& [name, t] : all) {
    if (name == "meta.step") { s.step = int64_t(t.item()); has_step = true; }
    else if (name == "meta.dropout_seed") s.dropout_seed = uint64_t(to_vector<int64_t>(t)[0]);
    else if (name == "meta.dropout_offset") s.dropout_offset = uint64_t(to_vector<int64_t>(t)[0]);
    else if (name.rfind("adam.", 0) == 0) adam.emplace_back(name.substr(5), t);
    else fail(path, ": unexpected entry '", name, "'");
  }
  DN_CHECK(has_step, path, ": no step recorded");
  optimizer.load_state_dict(adam, path);
  return s;
}

}  // namespace dn::app
