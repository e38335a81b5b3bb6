// RIR delegated stats, IANA CSVs and prefix lists on arbitrary text, then the
// bogon computation over what loaded: no crash, no read outside the input,
// every problem has a place and a message, every record is a sane range, and
// the CIDR form of each bogon set holds exactly the set's addresses.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/bogons.h"

namespace {
using vigia::registry::Uint128;

template <class Problems>
void Check(const Problems& problems) {
  for (const auto& p : problems) {
    if (p.message.empty()) std::abort();
  }
}

void CheckSet(const vigia::registry::RangeSet& s) {
  Uint128 n = 0;
  for (const vigia::Prefix& p : s.ToPrefixes()) {
    const int host = p.address().bit_width() - p.length();
    if (host >= 128) return;  // the whole IPv6 space: the count saturates
    n += Uint128{1} << host;
  }
  if (n != s.AddressCount()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vigia::registry::DelegatedStats stats;
  (void)stats.LoadText(text, "fuzz");
  Check(stats.problems());
  Check(stats.warnings());
  for (const auto& r : stats.records()) {
    if (r.first > r.last || r.last > vigia::registry::MaxAddress(r.family())) std::abort();
    if (r.line == 0 || r.text.empty()) std::abort();
  }
  vigia::registry::IanaRegistry iana;
  (void)iana.LoadText(text, "fuzz");
  Check(iana.problems());
  vigia::registry::PrefixListFile list;
  vigia::registry::ParsePrefixList(text, "fuzz", &list);
  Check(list.problems);

  const auto bogons = vigia::registry::BogonList::Compute(stats, iana);
  for (vigia::Family f : {vigia::Family::kIpv4, vigia::Family::kIpv6}) {
    CheckSet(bogons.All(f));
    (void)vigia::registry::Compare(bogons.All(f), f == vigia::Family::kIpv4 ? list.v4 : list.v6,
                                   bogons.All(f));
  }
  for (const auto& a : bogons.asns()) {
    if (a.first > a.last || a.reason >= bogons.reasons().size()) std::abort();
  }
  return 0;
}
