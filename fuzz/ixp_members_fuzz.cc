// The members-file parser (ixp/members.h) on arbitrary bytes: IX-F JSON,
// arouteserver YAML or PeeringDB JSON by content. The first byte chooses
// the mode: even, the rest is a members file; odd, the rest is an
// overrides file applied to a fixed two-member list. Beyond memory safety:
// the list stays sorted by ASN with one member per ASN, no AS 0, each
// member's addresses sorted and unique, and every address found again
// through FindMemberByAddress as its own member's (one owner per address,
// also after overrides).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ixp/members.h"

namespace {

constexpr std::string_view kBase =
    "clients:\n- asn: 64500\n  ip: [192.0.2.1, \"2001:db8::1\"]\n"
    "- asn: 64501\n  ip: 192.0.2.2\n  cfg: {filtering: {irrdb: {as_sets: [AS-B]}}}\n";

void Check(const vigia::ixp::MemberList& list) {
  for (size_t i = 0; i < list.members.size(); ++i) {
    const vigia::ixp::Member& m = list.members[i];
    if (m.asn == 0) std::abort();
    if (i > 0 && list.members[i - 1].asn >= m.asn) std::abort();
    if (!std::is_sorted(m.addresses.begin(), m.addresses.end())) std::abort();
    if (std::adjacent_find(m.addresses.begin(), m.addresses.end()) != m.addresses.end())
      std::abort();
    if (vigia::ixp::FindMember(list, m.asn) != &m) std::abort();
    // An address has one owner, also after overrides.
    for (const vigia::IpAddress& a : m.addresses)
      if (vigia::ixp::FindMemberByAddress(list, a) != &m) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  vigia::ProblemLog problems;
  if ((data[0] & 1) == 0) {
    auto list = vigia::ixp::ParseMembers(in, "fuzz", &problems, (data[0] & 2) ? "1" : "");
    if (!list.ok()) return 0;
    Check(*list);
  } else {
    auto list = vigia::ixp::ParseMembers(kBase, "base", &problems);
    if (!list.ok() || list->members.size() != 2) std::abort();
    (void)vigia::ixp::ParseOverrides(in, "fuzz", &*list, &problems);
    Check(*list);
  }
  return 0;
}
