#include "apps/lib/skipped.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "data/files.h"

namespace dn::app {

void SkippedImages::add(const std::vector<data::SkippedImage>& images) {
  for (const auto& image : images) {
    const bool known = std::any_of(images_.begin(), images_.end(),
                                   [&](const data::SkippedImage& s) { return s.path == image.path; });
    if (!known) images_.push_back(image);
  }
}

void SkippedImages::write(const std::string& dir, const std::string& what) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : images_) list.push_back({{"path", s.path}, {"reason", s.reason}});
  const nlohmann::json j = {{"count", images_.size()}, {"skipped", list}};
  const std::string text = j.dump(2) + "\n";
  const std::string path = data::join_path(dir, "skipped.json");
  data::write_file_atomic(path, std::vector<uint8_t>(text.begin(), text.end()));
  std::fprintf(stderr, "%s: %zu unreadable image%s skipped (listed in %s)\n", what.c_str(), images_.size(),
               images_.size() == 1 ? "" : "s", path.c_str());
}

}  // namespace dn::app
