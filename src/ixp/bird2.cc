// The BIRD 2 writer: see bird2.h. Syntax checked against BIRD 2.0.12
// (`bird -p -c F` in src/ixp/bird2_test.cc and tests/ixp_config_cli_test.cc).
#include "ixp/bird2.h"

#include <fmt/format.h>

#include "ixp/reason.h"

namespace vigia::ixp {
namespace {

constexpr std::string_view kFamilies[] = {"v4", "v6"};

uint32_t Code(Reject r) { return static_cast<uint32_t>(r); }

// A BIRD set literal, kPerLine items a line.
template <typename T, typename F>
void WriteSet(std::string* out, const std::vector<T>& items, F format, std::string_view indent) {
  constexpr size_t kPerLine = 6;
  *out += "[\n";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i % kPerLine == 0) *out += indent;
    *out += format(items[i]);
    if (i + 1 < items.size()) *out += (i % kPerLine == kPerLine - 1) ? ",\n" : ", ";
  }
  *out += fmt::format("\n{}]", indent.substr(0, indent.size() >= 2 ? indent.size() - 2 : 0));
}

std::string AsnRangeText(const AsnRange& r) {
  return r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}..{}", r.first, r.last);
}

void WriteHeader(const Policy& p, std::string* out) {
  WriteConfigHeaderInputs(p, "BIRD 2", out);
  *out += "#\n# Rejected routes are kept as filtered (`birdc show route filtered all`)\n";
  *out += "# with the large community (RS_ASN, 1101, code):\n";
  WriteConfigReasonList(out);
  *out += "# Accepted routes: (RS_ASN, 1000, 1|2|3) RPKI valid|unknown|not checked,\n";
  *out += "#                  (RS_ASN, 1001, 1|2|3) IRR valid|not checked|more-specific.\n\n";
}

void WriteGlobals(const Policy& p, std::string* out) {
  const PolicyOptions& o = p.options;
  *out += fmt::format("router id {};\n", o.router_id->ToString());
  *out += fmt::format("define RS_ASN = {};\n\n", o.rs_asn);
  *out +=
      "# `secondary` (path-hiding mitigation) needs sorted tables.\n"
      "ipv4 table master4 sorted;\n"
      "ipv6 table master6 sorted;\n\n"
      "protocol device { }\n\n";

  *out += "# Bogon ASNs anywhere in the AS_PATH: reason 4.\ndefine BOGON_ASNS = ";
  WriteSet(out, p.bogon_asns, AsnRangeText, "  ");
  *out += ";\n\n";
  if (!o.transit_free.empty()) {
    *out +=
        "# Transit-free networks (arouteserver's reference list unless --transit-free):\n"
        "# in the AS_PATH after the first ASN, reason 14.\ndefine TRANSIT_FREE_ASNS = ";
    WriteSet(
        out, o.transit_free, [](Asn a) { return fmt::format("{}", a); }, "  ");
    *out += ";\n\n";
  }
  const auto pfx = [](const Prefix& x) { return x.ToString() + "+"; };
  *out += "# Bogon prefixes and everything inside them: reason 3.\ndefine BOGONS_V4 = ";
  WriteSet(out, p.bogons4, pfx, "  ");
  *out += ";\ndefine BOGONS_V6 = ";
  WriteSet(out, p.bogons6, pfx, "  ");
  *out += ";\n\n";

  *out +=
      "# Tags the route with the reason and rejects it; `import keep filtered on`\n"
      "# keeps it, tagged, for looking glasses. A reject inside a function ends\n"
      "# the whole filter.\n"
      "function vigia_reject(int reason_code) {\n"
      "  bgp_large_community.add((RS_ASN, 1101, reason_code));\n"
      "  reject;\n"
      "}\n\n";

  if (o.rtr) {
    *out += "roa4 table rpki4;\nroa6 table rpki6;\n\n";
    *out += fmt::format(
        "# RPKI (RFC 6811) from an RTR cache (RFC 8210). When the ROAs change, BIRD\n"
        "# re-runs the import filters (`rpki reload`, on by default) from each\n"
        "# channel's import table.\n"
        "protocol rpki vigia_rtr {{\n"
        "  roa4 {{ table rpki4; }};\n"
        "  roa6 {{ table rpki6; }};\n"
        "  remote \"{}\" port {};\n"
        "  retry keep 5;\n"
        "  refresh keep 30;\n"
        "  expire keep 600;\n"
        "}}\n\n",
        o.rtr->host, o.rtr->port);
  }

  *out +=
      "# Export: never a rejected route (they stay filtered anyway); the RPKI and\n"
      "# IRR tags go out with the route.\n"
      "filter vigia_export {\n"
      "  if bgp_large_community ~ [(RS_ASN, 1101, *)] then reject;\n"
      "  accept;\n"
      "}\n\n";
}

void WriteImportFilter(const Policy& p, const MemberPolicy& mp, bool v6, std::string* out) {
  const PolicyOptions& o = p.options;
  const Member& m = *mp.member;
  const std::string_view fam = kFamilies[v6 ? 1 : 0];
  const uint32_t min_len = v6 ? o.min_length6 : o.min_length4;
  const uint32_t max_len = v6 ? o.max_length6 : o.max_length4;
  const std::vector<IpAddress>& hops = v6 ? mp.next_hops6 : mp.next_hops4;
  const std::vector<Prefix>& irr_prefixes = v6 ? mp.prefixes6 : mp.prefixes4;

  *out += fmt::format("filter vigia_import_as{}_{} {{\n", m.asn, fam);
  *out += "  # Our own communities come from us only.\n";
  *out += "  bgp_large_community.delete([(RS_ASN, *, *)]);\n";
  *out += fmt::format("  if net.len > {} then vigia_reject({});\n", max_len,
                      Code(Reject::kPrefixTooLong));
  *out += fmt::format("  if net.len < {} then vigia_reject({});\n", min_len,
                      Code(Reject::kPrefixTooShort));
  *out += fmt::format("  if net ~ BOGONS_{} then vigia_reject({});\n", v6 ? "V6" : "V4",
                      Code(Reject::kBogon));
  *out +=
      fmt::format("  if bgp_path.len < 1 then vigia_reject({});\n", Code(Reject::kAsPathTooShort));
  *out +=
      fmt::format("  if bgp_path ~ BOGON_ASNS then vigia_reject({});\n", Code(Reject::kBogonAsn));
  *out += fmt::format("  if bgp_path.len > {} then vigia_reject({});\n", o.max_as_path,
                      Code(Reject::kAsPathTooLong));
  *out += fmt::format("  if bgp_path.first != {} then vigia_reject({});\n", m.asn,
                      Code(Reject::kFirstAsNotPeer));
  *out += "  # RFC 7948 §4.8: the next hop is the member's own router.\n";
  *out += "  if !(bgp_next_hop ~ ";
  WriteSet(
      out, hops, [](const IpAddress& a) { return a.ToString(); }, "    ");
  *out += fmt::format(") then vigia_reject({});\n", Code(Reject::kNextHopNotPeer));
  if (!o.transit_free.empty())
    *out += fmt::format("  if delete(bgp_path, {}) ~ TRANSIT_FREE_ASNS then vigia_reject({});\n",
                        m.asn, Code(Reject::kTransitFreeAsn));
  if (o.well_known == WellKnownPolicy::kRfc1997) {
    *out += "  # RFC 1997 NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED; RFC 3765 NOPEER.\n";
    *out += fmt::format(
        "  if bgp_community ~ [(65535, 65281), (65535, 65282), (65535, 65283), (65535, 65284)] "
        "then vigia_reject({});\n",
        Code(Reject::kWellKnownCommunity));
  }
  *out += fmt::format(
      "  if bgp_community.len + bgp_ext_community.len + bgp_large_community.len > {} then "
      "vigia_reject({});\n",
      o.max_communities, Code(Reject::kTooManyCommunities));

  if (mp.irr_checked) {
    *out += fmt::format("  # IRR: origins from {}.\n",
                        SafeConfigText(fmt::format("{}", fmt::join(mp.expanded, " ")), 200));
    if (mp.origins.empty()) {
      *out += fmt::format("  vigia_reject({});  # no as-set of this member resolved\n",
                          Code(Reject::kIrrOrigin));
    } else {
      *out += "  if !(bgp_path.last_nonaggregated ~ ";
      WriteSet(
          out, mp.origins, [](Asn a) { return fmt::format("{}", a); }, "    ");
      *out += fmt::format(") then vigia_reject({});\n", Code(Reject::kIrrOrigin));
    }
  }

  if (o.rtr) {
    const std::string table = v6 ? "rpki6" : "rpki4";
    *out += fmt::format("  case roa_check({}, net, bgp_path.last) {{\n", table);
    *out += fmt::format("    ROA_INVALID: vigia_reject({});\n", Code(Reject::kRpkiInvalid));
    *out += fmt::format("    ROA_VALID: bgp_large_community.add((RS_ASN, 1000, {}));\n",
                        static_cast<uint32_t>(RpkiTag::kValid));
    if (o.reject_rpki_unknown)
      *out += fmt::format("    else: vigia_reject({});\n", Code(Reject::kRpkiUnknown));
    else
      *out += fmt::format("    else: bgp_large_community.add((RS_ASN, 1000, {}));\n",
                          static_cast<uint32_t>(RpkiTag::kUnknown));
    *out += "  }\n";
  } else {
    *out += fmt::format("  bgp_large_community.add((RS_ASN, 1000, {}));\n",
                        static_cast<uint32_t>(RpkiTag::kNotChecked));
  }

  if (mp.irr_checked) {
    if (irr_prefixes.empty()) {
      *out += fmt::format("  vigia_reject({});  # no route{} object for this member\n",
                          Code(Reject::kIrrPrefix), v6 ? "6" : "");
    } else {
      *out += "  if net ~ ";
      WriteSet(
          out, irr_prefixes, [](const Prefix& x) { return x.ToString(); }, "    ");
      *out += fmt::format(" then bgp_large_community.add((RS_ASN, 1001, {}));\n",
                          static_cast<uint32_t>(IrrTag::kValid));
      if (o.irr_allow_more_specific) {
        *out += "  else if net ~ ";
        WriteSet(
            out, irr_prefixes, [](const Prefix& x) { return x.ToString() + "+"; }, "    ");
        *out += fmt::format(" then bgp_large_community.add((RS_ASN, 1001, {}));\n",
                            static_cast<uint32_t>(IrrTag::kMoreSpecific));
      }
      *out += fmt::format("  else vigia_reject({});\n", Code(Reject::kIrrPrefix));
    }
  } else {
    *out += fmt::format("  bgp_large_community.add((RS_ASN, 1001, {}));\n",
                        static_cast<uint32_t>(IrrTag::kNotChecked));
  }
  *out += "  # RFC 8326 GRACEFUL_SHUTDOWN.\n";
  *out += "  if (65535, 0) ~ bgp_community then bgp_local_pref = 0;\n";
  *out += "  accept;\n}\n\n";
}

void WriteSessions(const Policy& p, const MemberPolicy& mp, std::string* out) {
  const PolicyOptions& o = p.options;
  const Member& m = *mp.member;
  size_t n = 0;
  for (bool v6 : {false, true}) {
    const std::vector<IpAddress>& hops = v6 ? mp.next_hops6 : mp.next_hops4;
    const std::optional<IpAddress>& local = v6 ? o.rs_address6 : o.rs_address4;
    for (const IpAddress& a : hops) {
      ++n;
      *out += fmt::format("protocol bgp as{}_{} from vigia_client {{\n", m.asn, n);
      *out += fmt::format("  description \"AS{}{}{}\";\n", m.asn, m.name.empty() ? "" : " ",
                          SafeConfigText(m.name));
      if (local) *out += fmt::format("  local {} as RS_ASN;\n", local->ToString());
      *out += fmt::format("  neighbor {} as {};\n", a.ToString(), m.asn);
      *out += fmt::format("  ipv{} {{\n", v6 ? 6 : 4);
      *out += "    import table on;\n";
      *out += "    import keep filtered on;\n";
      *out += fmt::format("    import limit {} action {};\n", v6 ? mp.max_prefix6 : mp.max_prefix4,
                          MaxPrefixActionName(o.max_prefix_action));
      *out +=
          fmt::format("    import filter vigia_import_as{}_{};\n", m.asn, kFamilies[v6 ? 1 : 0]);
      *out += "    export filter vigia_export;\n";
      *out += "    secondary on;\n";
      if (o.add_path) *out += "    add paths tx;\n";
      *out += "  };\n}\n\n";
    }
  }
}

}  // namespace

std::string WriteBird2(const Policy& p) {
  std::string out;
  WriteHeader(p, &out);
  WriteGlobals(p, &out);
  out +=
      "# Route-server clients (RFC 7947): the route server's ASN is not added to\n"
      "# the AS_PATH and the member's next hop is kept.\n"
      "template bgp vigia_client {\n"
      "  local as RS_ASN;\n"
      "  rs client;\n"
      "}\n\n";
  for (const MemberPolicy& mp : p.members) {
    out += fmt::format("# ---- AS{}{}{}\n", mp.member->asn, mp.member->name.empty() ? "" : " ",
                       SafeConfigText(mp.member->name));
    if (!mp.unresolved.empty())
      out += fmt::format("# not in any IRR source: {}\n",
                         SafeConfigText(fmt::format("{}", fmt::join(mp.unresolved, " ")), 200));
    if (!mp.next_hops4.empty()) WriteImportFilter(p, mp, false, &out);
    if (!mp.next_hops6.empty()) WriteImportFilter(p, mp, true, &out);
    WriteSessions(p, mp, &out);
  }
  return out;
}

}  // namespace vigia::ixp
