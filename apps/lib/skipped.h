// --skip-corrupt's record: the unreadable images that training or evaluation left out,
// gathered from every loader of the run, listed on stderr and in DIR/skipped.json:
//   {"count": 2, "skipped": [{"path": "...", "reason": "cannot decode '...': ..."}, ...]}
#pragma once
#include <string>
#include <vector>

#include "data/loader.h"

namespace dn::app {

class SkippedImages {
 public:
  // Adds what a loader skipped (an image already listed is not listed twice).
  void add(const std::vector<data::SkippedImage>& images);
  size_t count() const { return images_.size(); }
  // Writes DIR/skipped.json atomically and prints one summary line on stderr.
  void write(const std::string& dir, const std::string& what) const;

 private:
  std::vector<data::SkippedImage> images_;
};

}  // namespace dn::app
