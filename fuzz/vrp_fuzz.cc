// VRP loading (JSON and CSV) and origin validation on arbitrary text: no
// crash, no read outside the input, every problem has a place and a message.
// Also a differential check of JsonCursor, the JSON reader the VRP loader
// uses, against nlohmann::json: on ASCII input not nested too deeply they
// must agree on whether the text is JSON (inputs without NUL bytes). And the
// VRP loader's JSON fast path against its cursor path.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/json_cursor.h"
#include "rpki/aspa.h"
#include "rpki/origin_validation.h"
#include "rpki/slurm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t opens = 0;
  bool ascii = true;
  for (char c : text) {
    opens += c == '[' || c == '{';
    // nlohmann::json takes a NUL byte for the end of its input; JsonCursor
    // (RFC 8259) refuses it outside strings. Neither checks the other there.
    ascii &= static_cast<unsigned char>(c) < 0x80 && c != '\0';
  }
  // JsonCursor does not check UTF-8 and refuses nesting deeper than 512.
  if (ascii && opens < vigia::JsonCursor::kMaxDepth) {
    vigia::JsonCursor c(text);
    const bool ours = c.Skip() && c.AtEnd();
    if (ours != nlohmann::json::accept(text)) std::abort();
  }
  vigia::rpki::VrpSet vrps;
  (void)vrps.LoadText(text, "fuzz");
  // The JSON fast path must load exactly what the cursor path loads.
  {
    vigia::rpki::VrpSet slow;
    slow.set_json_fast_path(false);
    (void)slow.LoadText(text, "fuzz");
    if (slow.size() != vrps.size() || slow.skipped() != vrps.skipped() ||
        slow.trust_anchors() != vrps.trust_anchors() ||
        !std::equal(slow.vrps().begin(), slow.vrps().end(), vrps.vrps().begin())) {
      std::abort();
    }
  }
  for (const vigia::LoadProblem& p : vrps.problems()) {
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
  // ASPA verification of paths made of the loaded customers and providers.
  std::vector<vigia::Asn> path;
  for (const vigia::rpki::Aspa& a : vrps.aspas().Sorted()) {
    if (path.size() > 16) break;
    path.push_back(a.customer);
    if (!a.providers.empty()) path.push_back(a.providers.front());
  }
  for (vigia::rpki::PeerRole role :
       {vigia::rpki::PeerRole::kCustomer, vigia::rpki::PeerRole::kProvider}) {
    (void)vigia::rpki::VerifyAsPath(vrps.aspas(), path, role);
  }
  // The same text as a SLURM file, applied to what was loaded.
  auto slurm = vigia::rpki::Slurm::Parse(text, "fuzz");
  if (slurm.ok()) (void)slurm->Apply(&vrps);
  return 0;
}
