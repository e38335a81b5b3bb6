// VRP loading (JSON and CSV) and origin validation on arbitrary text: no
// crash, no read outside the input, every problem has a place and a message.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rpki/origin_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  vigia::rpki::VrpSet vrps;
  (void)vrps.LoadText(text, "fuzz");
  for (const vigia::rpki::LoadProblem& p : vrps.problems()) {
    if (p.message.empty()) std::abort();
  }
  // Query with the loaded prefixes themselves and their neighbours.
  size_t n = 0;
  for (const vigia::rpki::Vrp& v : vrps.vrps()) {
    if (++n > 64) break;
    (void)vigia::rpki::Validate(vrps, v.prefix, v.asn);
    (void)vigia::rpki::ValidateState(vrps, vigia::Prefix(v.prefix.address(), v.max_length),
                                     v.asn + 1);
    if (v.prefix.length() > 0) {
      (void)vigia::rpki::ValidateState(
          vrps, vigia::Prefix(v.prefix.address(), static_cast<uint8_t>(v.prefix.length() - 1)),
          v.asn);
    }
  }
  return 0;
}
