// libFuzzer target: the restricted unpickler alone (the data.pkl of a .pth). Any input must
// either unpickle or throw dn::Error. Built and run by tools/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "tensor/io/pickle.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    dn::io::pickle::Document doc = dn::io::pickle::unpickle(data, size, "fuzz input");
    // Every tensor view was checked against its storage; recheck the invariant here.
    for (const auto& t : doc.tensors) {
      const auto& s = doc.storages.at(t.storage);
      if (t.shape.size() != t.strides.size() || t.offset < 0 || t.offset > s.numel) __builtin_trap();
    }
  } catch (const dn::Error&) {
  }
  return 0;
}
