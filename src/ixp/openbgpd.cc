// The OpenBGPD writer: see openbgpd.h. Syntax checked against OpenBGPD 7.7
// (`bgpd -n -f F` in src/ixp/openbgpd_test.cc).
#include "ixp/openbgpd.h"

#include <fmt/format.h>

#include "ixp/reason.h"

namespace vigia::ixp {
namespace {

// The marker function: RS_ASN:1102:<code> means "rule <code> not passed
// yet" inside the filter run; never left on an accepted route.
constexpr uint32_t kMarkerFunction = 1102;

uint32_t Code(Reject r) { return static_cast<uint32_t>(r); }

template <typename T, typename F>
void WriteList(std::string* out, const std::vector<T>& items, F format) {
  constexpr size_t kPerLine = 6;
  for (size_t i = 0; i < items.size(); ++i) {
    *out += (i % kPerLine == 0) ? "\n  " : " ";
    *out += format(items[i]);
  }
  *out += "\n";
}

std::string Tag(const Policy& p, Reject r) {
  return fmt::format(
      "set {{ localpref 1 large-community delete {0}:{1}:* large-community {0}:{2}:{3} }}",
      p.options.rs_asn, kMarkerFunction, kRejectFunction, Code(r));
}

void WriteHeader(const Policy& p, std::string* out) {
  const PolicyOptions& o = p.options;
  WriteConfigHeaderInputs(p, "OpenBGPD", out);
  *out += "#\n# Routes failing a rule are kept with LOCAL_PREF 1, never exported, and\n";
  *out += fmt::format("# tagged with the large community {}:1101:code\n", o.rs_asn);
  *out += fmt::format("# (`bgpctl show rib large-community {}:1101:*`):\n", o.rs_asn);
  WriteConfigReasonList(out);
  *out +=
      fmt::format("# Accepted routes: {0}:1000:1|2|3 RPKI valid|unknown|not checked,\n", o.rs_asn);
  *out += fmt::format("#                  {0}:1001:1|2|3 IRR valid|not checked|more-specific.\n\n",
                      o.rs_asn);
}

// OpenBGPD refuses AS 0 itself (RFC 7607) and the filter grammar has no
// AS 0; ranges are written "AS a - b".
std::string AsMatch(const AsnRange& r) {
  return r.first == r.last ? fmt::format("AS {}", r.first)
                           : fmt::format("AS {} - {}", r.first, r.last);
}

void WriteMember(const Policy& p, const MemberPolicy& mp, std::string* out) {
  const PolicyOptions& o = p.options;
  const Asn asn = mp.member->asn;
  const Asn rs = o.rs_asn;
  const std::string from = fmt::format("from AS {}", asn);
  *out += fmt::format("# ---- AS{}{}{}\n", asn, mp.member->name.empty() ? "" : " ",
                      SafeConfigText(mp.member->name));
  // Markers for the rules that can only be said positively.
  std::vector<Reject> markers = {Reject::kFirstAsNotPeer, Reject::kNextHopNotPeer};
  if (mp.irr_checked) {
    markers.push_back(Reject::kIrrOrigin);
    markers.push_back(Reject::kIrrPrefix);
  }
  for (Reject r : markers)
    *out +=
        fmt::format("match {} set large-community {}:{}:{}\n", from, rs, kMarkerFunction, Code(r));
  *out += fmt::format("match {} peer-as {} set large-community delete {}:{}:{}\n", from, asn, rs,
                      kMarkerFunction, Code(Reject::kFirstAsNotPeer));
  *out += "# RFC 7948 §4.8: the next hop is the member's own router.\n";
  for (const auto* hops : {&mp.next_hops4, &mp.next_hops6})
    for (const IpAddress& a : *hops)
      *out += fmt::format("match {} nexthop {} set large-community delete {}:{}:{}\n", from,
                          a.ToString(), rs, kMarkerFunction, Code(Reject::kNextHopNotPeer));
  if (mp.irr_checked) {
    if (!mp.origins.empty())
      *out += fmt::format(
          "match {} source-as as-set \"irr_as{}\" set large-community delete {}:{}:{}\n", from, asn,
          rs, kMarkerFunction, Code(Reject::kIrrOrigin));
    if (!mp.prefixes4.empty() || !mp.prefixes6.empty())
      *out +=
          fmt::format("match {} prefix-set \"irr_as{}{}\" set large-community delete {}:{}:{}\n",
                      from, asn, o.irr_allow_more_specific ? "_longer" : "", rs, kMarkerFunction,
                      Code(Reject::kIrrPrefix));
  }
  const auto tag_if_marked = [&](Reject r) {
    *out += fmt::format("allow quick {} large-community {}:{}:{} {}\n", from, rs, kMarkerFunction,
                        Code(r), Tag(p, r));
  };
  tag_if_marked(Reject::kFirstAsNotPeer);
  tag_if_marked(Reject::kNextHopNotPeer);
  std::vector<Asn> transit;
  for (Asn t : o.transit_free)
    if (t != asn) transit.push_back(t);
  if (!transit.empty()) {
    *out += fmt::format("allow quick {} AS {{", from);
    for (Asn t : transit) *out += fmt::format(" {}", t);
    *out += fmt::format(" }} {}\n", Tag(p, Reject::kTransitFreeAsn));
  }
  if (mp.irr_checked) tag_if_marked(Reject::kIrrOrigin);
  if (o.rtr) {
    *out += fmt::format("allow quick {} ovs invalid {}\n", from, Tag(p, Reject::kRpkiInvalid));
    *out += fmt::format("match {} ovs valid set large-community {}:{}:{}\n", from, rs,
                        kRpkiFunction, static_cast<uint32_t>(RpkiTag::kValid));
    if (o.reject_rpki_unknown)
      *out += fmt::format("allow quick {} ovs not-found {}\n", from, Tag(p, Reject::kRpkiUnknown));
    else
      *out += fmt::format("match {} ovs not-found set large-community {}:{}:{}\n", from, rs,
                          kRpkiFunction, static_cast<uint32_t>(RpkiTag::kUnknown));
  } else {
    *out += fmt::format("match {} set large-community {}:{}:{}\n", from, rs, kRpkiFunction,
                        static_cast<uint32_t>(RpkiTag::kNotChecked));
  }
  if (mp.irr_checked) {
    tag_if_marked(Reject::kIrrPrefix);
    if (o.irr_allow_more_specific)
      *out += fmt::format("match {} set large-community {}:{}:{}\n", from, rs, kIrrFunction,
                          static_cast<uint32_t>(IrrTag::kMoreSpecific));
    if (!mp.prefixes4.empty() || !mp.prefixes6.empty())
      *out += fmt::format(
          "match {} prefix-set \"irr_as{}\" set {{ large-community delete {}:{}:{} "
          "large-community {}:{}:{} }}\n",
          from, asn, rs, kIrrFunction, static_cast<uint32_t>(IrrTag::kMoreSpecific), rs,
          kIrrFunction, static_cast<uint32_t>(IrrTag::kValid));
  } else {
    *out += fmt::format("match {} set large-community {}:{}:{}\n", from, rs, kIrrFunction,
                        static_cast<uint32_t>(IrrTag::kNotChecked));
  }
  *out += "\n";
}

}  // namespace

std::string WriteOpenBgpd(const Policy& p) {
  const PolicyOptions& o = p.options;
  const Asn rs = o.rs_asn;
  std::string out;
  WriteHeader(p, &out);
  out += fmt::format("AS {}\nrouter-id {}\n", rs, o.router_id->ToString());
  out += "# A route server forwards no traffic: nothing goes to the kernel.\nfib-update no\n\n";
  if (o.rtr)
    out += fmt::format(
        "# RPKI (RFC 6811) from an RTR cache (RFC 8210); OpenBGPD re-evaluates\n"
        "# `ovs` when the ROAs change.\n"
        "rtr {} {{\n  port {}\n}}\n\n",
        o.rtr->host, o.rtr->port);

  out += "# Bogon prefixes and everything inside them: reason 3.\nprefix-set \"bogons\" {";
  std::vector<Prefix> bogons = p.bogons4;
  bogons.insert(bogons.end(), p.bogons6.begin(), p.bogons6.end());
  WriteList(&out, bogons, [](const Prefix& x) { return x.ToString() + " or-longer"; });
  out += "}\n\n";
  for (const MemberPolicy& mp : p.members) {
    if (!mp.irr_checked) continue;
    if (!mp.origins.empty()) {
      out += fmt::format("as-set \"irr_as{}\" {{", mp.member->asn);
      WriteList(&out, mp.origins, [](Asn a) { return fmt::format("{}", a); });
      out += "}\n";
    }
    if (!mp.prefixes4.empty() || !mp.prefixes6.empty()) {
      std::vector<Prefix> all = mp.prefixes4;
      all.insert(all.end(), mp.prefixes6.begin(), mp.prefixes6.end());
      out += fmt::format("prefix-set \"irr_as{}\" {{", mp.member->asn);
      WriteList(&out, all, [](const Prefix& x) { return x.ToString(); });
      out += "}\n";
      if (o.irr_allow_more_specific) {
        out += fmt::format("prefix-set \"irr_as{}_longer\" {{", mp.member->asn);
        WriteList(&out, all, [](const Prefix& x) { return x.ToString() + " or-longer"; });
        out += "}\n";
      }
    }
  }
  out += "\n";

  out +=
      "# Route-server clients (RFC 7947): our ASN is not added to the AS_PATH\n"
      "# (transparent-as), the first-AS rule is a filter with a reason instead\n"
      "# of the session-level check, and `rde evaluate all` mitigates path\n"
      "# hiding (RFC 7947 §2.3.1).\n"
      "group \"clients\" {\n"
      "  transparent-as yes\n"
      "  enforce neighbor-as no\n"
      "  rde evaluate all\n";
  if (o.add_path) out += "  announce add-path send all\n";
  out += "  announce IPv4 unicast\n  announce IPv6 unicast\n";
  for (const MemberPolicy& mp : p.members) {
    for (bool v6 : {false, true}) {
      const std::vector<IpAddress>& hops = v6 ? mp.next_hops6 : mp.next_hops4;
      const std::optional<IpAddress>& local = v6 ? o.rs_address6 : o.rs_address4;
      const uint32_t limit = v6 ? mp.max_prefix6 : mp.max_prefix4;
      for (const IpAddress& a : hops) {
        out += fmt::format("  neighbor {} {{\n    remote-as {}\n", a.ToString(), mp.member->asn);
        // bgpd.conf(5): a descr is at most 31 characters.
        std::string descr =
            fmt::format("AS{}{}{}", mp.member->asn, mp.member->name.empty() ? "" : " ",
                        SafeConfigText(mp.member->name));
        if (descr.size() > 31) descr.resize(31);
        out += fmt::format("    descr \"{}\"\n", descr);
        if (local) out += fmt::format("    local-address {}\n", local->ToString());
        if (o.max_prefix_action == MaxPrefixAction::kDisable)
          out += fmt::format("    max-prefix {}\n", limit);
        else
          out += fmt::format("    max-prefix {} restart 15\n", limit);
        out += "  }\n";
      }
    }
  }
  out += "}\n\n";

  out += "# Everything is allowed unless a rule below tags it; the last match wins,\n";
  out += "# `quick` ends the evaluation at the first failed rule.\n";
  out += "allow from group clients\nallow to group clients\n";
  out += fmt::format("deny quick to group clients large-community {}:{}:*\n", rs, kRejectFunction);
  out += "match to group clients set nexthop no-modify\n\n";
  out += fmt::format("# Our own communities come from us only.\n");
  out += fmt::format("match from group clients set large-community delete {}:*:*\n", rs);
  out += fmt::format("allow quick from group clients inet prefixlen > {} {}\n", o.max_length4,
                     Tag(p, Reject::kPrefixTooLong));
  out += fmt::format("allow quick from group clients inet6 prefixlen > {} {}\n", o.max_length6,
                     Tag(p, Reject::kPrefixTooLong));
  if (o.min_length4 > 0)
    out += fmt::format("allow quick from group clients inet prefixlen < {} {}\n", o.min_length4,
                       Tag(p, Reject::kPrefixTooShort));
  if (o.min_length6 > 0)
    out += fmt::format("allow quick from group clients inet6 prefixlen < {} {}\n", o.min_length6,
                       Tag(p, Reject::kPrefixTooShort));
  out += fmt::format("allow quick from group clients prefix-set \"bogons\" {}\n",
                     Tag(p, Reject::kBogon));
  for (const AsnRange& r : p.bogon_asns) {
    AsnRange x = r;
    if (x.first == 0) {
      if (x.last == 0) continue;
      x.first = 1;
    }
    out += fmt::format("allow quick from group clients {} {}\n", AsMatch(x),
                       Tag(p, Reject::kBogonAsn));
  }
  out += fmt::format("allow quick from group clients max-as-len {} {}\n", o.max_as_path,
                     Tag(p, Reject::kAsPathTooLong));
  if (o.well_known == WellKnownPolicy::kRfc1997) {
    out += "# RFC 1997 NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED; RFC 3765 NOPEER.\n";
    for (const char* c : {"65535:65281", "65535:65282", "65535:65283", "65535:65284"})
      out += fmt::format("allow quick from group clients community {} {}\n", c,
                         Tag(p, Reject::kWellKnownCommunity));
  }
  // OpenBGPD counts each kind of community apart; BIRD's config counts them
  // together.
  for (const char* kind : {"max-communities", "max-ext-communities", "max-large-communities"})
    out += fmt::format("allow quick from group clients {} {} {}\n", kind, o.max_communities,
                       Tag(p, Reject::kTooManyCommunities));
  out += "# RFC 8326 GRACEFUL_SHUTDOWN.\n";
  out += "match from group clients community GRACEFUL_SHUTDOWN set localpref 0\n\n";
  for (const MemberPolicy& mp : p.members) WriteMember(p, mp, &out);
  return out;
}

}  // namespace vigia::ixp
