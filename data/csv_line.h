// One line of a CSV file split into its fields, for the CSV files we read (a data set's
// manifest, VisA's split file): commas separate, a field in double quotes may hold commas,
// and "" inside quotes is one quote. A trailing comma ends in an empty field.
#pragma once
#include <string>
#include <vector>

namespace dn::data {

// Fills `fields`; returns false for an unterminated quote.
bool split_csv_line(const std::string& line, std::vector<std::string>& fields);

}  // namespace dn::data
