// libFuzzer target: the safetensors reader. Any input must either parse into tensors that
// lie inside the buffer, or throw dn::Error; any other exception, crash, leak or sanitizer
// report is a finding. Built and run by tools/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz/touch.h"
#include "tensor/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    dn::io::SafetensorsContents file = dn::io::parse_safetensors(data, size, "fuzz input");
    touch_tensors(file.tensors);
  } catch (const dn::Error&) {
  }
  return 0;
}
