// RPSL and ARIN-WHOIS JSON loading, the IRR check and as-set expansion on
// arbitrary bytes. The first byte picks the reader's buffer size (16 to
// 1,801 bytes, so that objects and lines straddle refills everywhere); the
// rest is the file. Beyond memory safety: every problem has a place and a
// message, every loaded route object checks as "exact" against itself, and
// expansions give sorted, unique ASNs.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irr/as_set_expander.h"
#include "irr/irr_index.h"
#include "irr/route_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  vigia::irr::LoadOptions opts;
  opts.reader.buffer_size = 16 + size_t{data[0]} * 7;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  vigia::irr::IrrDatabase db;
  (void)db.LoadText(text, "fuzz", opts);
  for (const vigia::LoadProblem& p : db.problems().kept()) {
    if (p.message.empty() || p.where.empty()) std::abort();
  }
  size_t n = 0;
  for (const vigia::irr::RouteObject& r : db.routes()) {
    if (++n > 64) break;
    if (vigia::irr::CheckRoute(db, r.prefix, r.origin).state != vigia::irr::IrrState::kExact) {
      std::abort();
    }
    (void)vigia::irr::CheckRoute(db, r.prefix, r.origin + 1);
  }
  n = 0;
  for (const vigia::irr::AsSetObject& s : db.as_sets()) {
    if (++n > 8) break;
    vigia::irr::ExpandOptions eo;
    eo.max_depth = 1 + static_cast<int>(n);
    const vigia::irr::ExpandResult r = vigia::irr::ExpandAsSet(db, db.strings().Get(s.name), eo);
    if (!r.found) std::abort();
    if (std::adjacent_find(r.asns.begin(), r.asns.end(),
                           [](uint32_t a, uint32_t b) { return a >= b; }) != r.asns.end()) {
      std::abort();
    }
  }
  return 0;
}
