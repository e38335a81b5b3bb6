// MANRS Action 2, anti-spoofing (score/scoring.h): M5 is the share of the
// AS's CAIDA Spoofer sessions whose spoofed packets were blocked (BCP 38,
// BCP 84).
#include "score/scoring.h"

namespace vigia::score::internal {

void Action2Spoofing::Values(size_t k) {
  if (!c_.have_spoofer) return;
  AsScore& a = c_.board.ases[k];
  auto it = c_.extras.spoofer.by_asn.find(a.asn);
  if (it != c_.extras.spoofer.by_asn.end() && it->second.blocked + it->second.received > 0) {
    a.raw[kM5] = it->second.sessions;
    a.value[kM5] = 100.0 * it->second.blocked / (it->second.blocked + it->second.received);
  }
}

void Action2Spoofing::Fixes(size_t k, FixList& fixes) {
  const AsScore& a = c_.board.ases[k];
  if (a.value[kM5] && *a.value[kM5] < 100) {
    fixes.after().value[kM5] = 100;
    fixes.Add(kM5, "sav",
              "deploy source address validation (BCP 38, BCP 84): spoofed packets left the network",
              {}, static_cast<size_t>(a.raw[kM5]));
  }
}

}  // namespace vigia::score::internal
