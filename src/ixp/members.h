// The members of an Internet exchange's route server: who peers with it,
// from which router addresses, and what routing intent each registered
// (IRR as-sets, max-prefix). This is what `vigia ixp config` turns into a
// route-server configuration and what `vigia ixp check` judges a
// route-server RIB against.
//
// Three member sources are read, detected from the file's content:
//   - an IX-F Member Export (JSON, schema 0.6 to 1.0, https://ix-f.net/),
//     member_list[].connection_list[].vlan_list[].{ipv4,ipv6}
//     .{address,as_macro,max_prefix};
//   - arouteserver's clients file (YAML): clients[].{asn, ip (one or a
//     list), cfg.filtering.irrdb.as_sets, cfg.filtering.max_prefix
//     .limit_ipv4/limit_ipv6};
//   - a PeeringDB dump (netixlan of one exchange, chosen by ix id or name;
//     as-set from net.irr_as_set, max-prefix from net.info_prefixes4/6).
// An optional overrides file (YAML, same keys as arouteserver's clients
// file, matched by ASN) then replaces fields member by member.
//
// Entries of the same ASN are merged into one Member (arouteserver writes
// one client per address). A bad entry is reported as "file: where: why",
// skipped and counted; the rest load. Values only; no thread concerns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/problem_log.h"
#include "core/status.h"

namespace vigia::ixp {

enum class MemberFormat : uint8_t { kIxf, kArouteserver, kPeeringDb };

struct Member {
  Asn asn = 0;
  std::string name;                  // empty when the source gives none
  std::vector<IpAddress> addresses;  // router addresses on the peering LAN, v4 and v6, sorted
  // IRR as-sets, or ASNs written "AS123", that define the member's routing
  // intent. Empty: only the member's own ASN ("AS<asn>") is expanded.
  std::vector<std::string> as_sets;
  std::optional<uint32_t> max_prefix4, max_prefix6;  // unset: the source gave none
};

struct MemberList {
  std::vector<Member> members;  // sorted by ASN, one per ASN
  MemberFormat format = MemberFormat::kIxf;
  std::string source;  // the file read
  std::string date;    // the export's own date (YYYY-MM-DD) when it states one, else ""
  std::string ixp_name;
  size_t skipped = 0;  // entries skipped as bad (reported in the ProblemLog)
};

// Reads a members file of any of the three formats. `ix` selects the
// exchange in a PeeringDB dump (id or name) and in a multi-exchange IX-F
// export (ixp_id or shortname); empty takes every exchange of an IX-F export
// and fails on a PeeringDB dump. A directory is read as a PeeringDB dump.
Result<MemberList> LoadMembers(const std::string& path, ProblemLog* problems,
                               const std::string& ix = "");

// The parser behind LoadMembers, on text in memory (no I/O; fuzzed by
// fuzz/ixp_members_fuzz.cc). `name` is used in messages and as `source`.
Result<MemberList> ParseMembers(std::string_view text, const std::string& name,
                                ProblemLog* problems, const std::string& ix = "");
// Overrides from text in memory (see ApplyOverrides).
Status ParseOverrides(std::string_view text, const std::string& name, MemberList* list,
                      ProblemLog* problems);
// "ixf", "arouteserver" or "peeringdb".
std::string_view MemberFormatName(MemberFormat f);

// Applies an overrides file (YAML, arouteserver client keys, matched by ASN;
// an ASN not in the list is added).
Status ApplyOverrides(const std::string& path, MemberList* list, ProblemLog* problems);

// The member with this ASN, or nullptr.
const Member* FindMember(const MemberList& list, Asn asn);
// The member owning this router address, or nullptr.
const Member* FindMemberByAddress(const MemberList& list, const IpAddress& address);

}  // namespace vigia::ixp
