// Where train and eval get their images: a data set folder (--data, with --layout and
// --classes), the user's own folders (--train-good, --test-good, --test-defect, --masks,
// --class-name), or a CSV manifest (--manifest). One of the three, never two.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "data/dataset.h"

namespace dn::app {

struct DataSource {
  std::string root;                  // --data
  std::string layout = "auto";       // --layout, with --data
  std::string classes_csv;           // --classes
  std::vector<std::string> train_good, test_good, test_defect;
  std::string masks;
  std::string class_name = "custom";
  std::string manifest;              // --manifest
  bool skip_corrupt = false;         // --skip-corrupt
};

// Registers the options above; `data_help` describes --data for this program.
void add_data_options(CLI::App& app, DataSource& source, const std::string& data_help);

// Opens the data set the options name. Throws dn::Error when none or two sources are
// given, when training needs normal images that are not given (`need_train`), and for
// everything open_dataset refuses.
data::Dataset open_data(const DataSource& source, bool need_train);

// What config.json records as the data: the --data folder as before, else an object
// naming the folders or the manifest.
nlohmann::json describe_data(const DataSource& source);

}  // namespace dn::app
