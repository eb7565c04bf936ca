// The two rules every CSV file we write follows, in one place so that eval's scores.csv and
// predict's predictions.csv print the same number the same way.
#pragma once
#include <string>

namespace dn::eval {

// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text);

// The shortest text that reads back as the same number (std::to_chars): a float score
// prints as the float, not as the double it widens to.
std::string exact_number(float value);
std::string exact_number(double value);

}  // namespace dn::eval
