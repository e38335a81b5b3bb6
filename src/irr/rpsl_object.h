// The RPSL objects Vigía keeps, decoded from lexed RpslObjects: route and
// route6 (RFC 2622 §4, RFC 4012 §2), aut-num (RFC 2622 §6), as-set (§5.1),
// route-set (§5.2, RFC 4012 §4) and mntner (RFC 2622 §3.1, RFC 2725).
//
// Decoders take an RpslObject and fill a reusable *Fields struct whose
// string views point into the object (valid as long as it is). A decoder
// fails, with a message citing the rule, when the object cannot be used (no
// origin, a bad prefix); problems that leave it usable (one bad member in a
// long list) are appended to `notes` and the rest is kept. Value types; no
// thread concerns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/status.h"
#include "irr/rpsl_lexer.h"

namespace vigia::irr {

// Cap on the members one as-set or route-set object may list: core/limits.h.

// (line, message) for problems that do not make an object unusable.
using Notes = std::vector<std::pair<uint64_t, std::string>>;

struct CommonFields {
  std::string_view source;               // "" when the object has none
  std::vector<std::string_view> mnt_by;  // as written
  void Clear() {
    source = {};
    mnt_by.clear();
  }
};

struct RouteFields : CommonFields {
  Prefix prefix;
  Asn origin = 0;
};

struct AutNumFields : CommonFields {
  Asn asn = 0;
  std::string as_name;
};

struct MntnerFields : CommonFields {
  std::string_view name;
};

struct AsSetMember {
  bool is_set = false;    // a (possibly hierarchical) as-set name, else an ASN
  Asn asn = 0;            // when !is_set
  std::string_view name;  // when is_set, as written
};

struct AsSetFields : CommonFields {
  std::string_view name;
  std::vector<AsSetMember> members;
};

enum class RouteSetMemberKind : uint8_t { kPrefix, kRouteSet, kAsSet, kAsn };

struct RouteSetMember {
  RouteSetMemberKind kind = RouteSetMemberKind::kPrefix;
  std::string_view text;  // the whole member as written, range operator included
  Prefix prefix;          // when kind == kPrefix
};

struct RouteSetFields : CommonFields {
  std::string_view name;
  std::vector<RouteSetMember> members;
};

Status DecodeRoute(const RpslObject& o, RouteFields* out, Notes* notes);
Status DecodeAutNum(const RpslObject& o, AutNumFields* out, Notes* notes);
Status DecodeMntner(const RpslObject& o, MntnerFields* out, Notes* notes);
Status DecodeAsSet(const RpslObject& o, AsSetFields* out, Notes* notes);
Status DecodeRouteSet(const RpslObject& o, RouteSetFields* out, Notes* notes);

// RFC 2622 §5: a set name, flat ("AS-FOO") or hierarchical
// ("AS64496:AS-CUSTOMERS"): colon-separated components, each an AS number or
// a name starting with `prefix` ("as-" or "rs-"), at least one of them a name.
bool IsSetName(std::string_view t, std::string_view prefix);
// RFC 2622 §2 range operators after a prefix or set name: "^-", "^+", "^n",
// "^n-m". `width` is the address width (32, 128) and `min` the least length
// allowed for n (the prefix length; 0 after a set name).
bool IsRangeOperator(std::string_view op, int min, int width);

}  // namespace vigia::irr
