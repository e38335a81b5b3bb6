// The live lab's route matrix and the inputs written from it: for each
// route-server filter rule of src/ixp/reason.h, per address family, one
// route that breaks exactly that rule (and no other), beside good routes
// that break none; the members file (IX-F Member Export), the IRR file
// (RPSL as-set, route and route6 objects) and the VRP file (rpki-client
// JSON) that make them good or bad; the members' announcements (GoBGP
// commands and an ExaBGP configuration).
//
// The lab's exchange: route server AS 59900 on 10.16.0.10 / fd16::10;
// members on the peering LAN 10.16.0.0/24 and fd16::/64 (private, as LANs
// are); the announced routes are public-looking prefixes (200.16.0.0/16,
// LACNIC space, and 2801:16::/32) so that only the bogon rows are bogons.
//   A  AS 28000   GoBGP    10.16.0.11  fd16::11  as-set AS-LABALPHA {AS28000, AS270000}
//   B  AS 263000  ExaBGP   10.16.0.12  fd16::12  as-set AS-LABBETA  {AS263000, AS270002}
//   C  AS 28001   FRR      10.16.0.13  fd16::13  receives only
//   D  AS 52001   GoBGP    10.16.0.14  fd16::14  as-set AS-LABDELTA {AS52001}, max-prefix 2
//                                                 per family, announces 3 per family
// Values only; no thread concerns.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ixp/reason.h"

namespace vigia::ixp_lab {

inline constexpr uint32_t kRsAsn = 59900;
inline constexpr uint32_t kAsnA = 28000, kAsnB = 263000, kAsnC = 28001, kAsnD = 52001;
inline constexpr uint32_t kMaxPrefixD = 2;

enum class Speaker : uint8_t { kGobgpA, kExabgpB, kGobgpD };

struct LabRoute {
  std::string rule;    // reason key of src/ixp/reason.h, or "good"
  std::string prefix;  // unique in the matrix: it names the row
  Speaker speaker;
  std::vector<uint32_t> path;            // the AS_PATH as sent, first AS first
  std::string next_hop;                  // "" = the speaker's own address
  std::vector<std::string> communities;  // "65535:65281", ...
  std::vector<std::string> large;        // "28000:1:1", ...
  std::optional<ixp::Reject> reject;     // unset: the route server must accept it
  bool v6() const { return prefix.find(':') != std::string::npos; }
};

inline std::vector<uint32_t> Repeat(uint32_t asn, size_t n) {
  return std::vector<uint32_t>(n, asn);
}

// The matrix. Every row other than the IRR rows has its route object; no
// row other than the RPKI and good ones is covered by a VRP (so it is
// RPKI NotFound, which the route server accepts and tags).
inline std::vector<LabRoute> Matrix() {
  using ixp::Reject;
  const Speaker A = Speaker::kGobgpA, B = Speaker::kExabgpB, D = Speaker::kGobgpD;
  const std::nullopt_t good = std::nullopt;
  // clang-format off
  return {
    // Good routes: RPKI valid or unknown, in the IRR, communities passed on.
    {"good", "200.16.1.0/24",    A, {kAsnA},         "", {},            {},            good},
    {"good", "200.16.2.0/24",    A, {kAsnA, 270000}, "", {"28000:100"}, {"28000:1:1"}, good},
    {"good", "200.16.3.0/24",    B, {kAsnB},         "", {},            {"263000:7:7"}, good},
    {"good", "200.16.4.0/22",    B, {kAsnB, 270002}, "", {},            {},            good},
    {"good", "2801:16:1::/48",   A, {kAsnA},         "", {},            {},            good},
    {"good", "2801:16:2::/48",   A, {kAsnA, 270000}, "", {},            {},            good},
    {"good", "2801:16:3::/48",   B, {kAsnB},         "", {},            {},            good},
    {"good", "2801:16:100::/40", B, {kAsnB, 270002}, "", {},            {},            good},
    // One bad route per rule and family.
    {"prefix_too_long",   "200.16.20.128/25", A, {kAsnA}, "", {}, {}, Reject::kPrefixTooLong},
    {"prefix_too_long",   "2801:16:20::/49",  B, {kAsnB}, "", {}, {}, Reject::kPrefixTooLong},
    {"prefix_too_short",  "12.0.0.0/7",       B, {kAsnB}, "", {}, {}, Reject::kPrefixTooShort},
    {"prefix_too_short",  "2800::/15",        A, {kAsnA}, "", {}, {}, Reject::kPrefixTooShort},
    {"bogon",             "100.64.16.0/24",   A, {kAsnA}, "", {}, {}, Reject::kBogon},
    {"bogon",             "2001:db8:16::/48", B, {kAsnB}, "", {}, {}, Reject::kBogon},
    {"bogon_asn",         "200.16.22.0/24",   A, {kAsnA, 64512, 270000},       "", {}, {}, Reject::kBogonAsn},
    {"bogon_asn",         "2801:16:22::/48",  B, {kAsnB, 4200000001u, 270002}, "", {}, {}, Reject::kBogonAsn},
    {"as_path_too_long",  "200.16.23.0/24",   A, Repeat(kAsnA, 70), "", {}, {}, Reject::kAsPathTooLong},
    {"as_path_too_long",  "2801:16:23::/48",  B, Repeat(kAsnB, 70), "", {}, {}, Reject::kAsPathTooLong},
    {"first_as_not_peer", "200.16.24.0/24",   B, {270002, kAsnB}, "", {}, {}, Reject::kFirstAsNotPeer},
    {"first_as_not_peer", "2801:16:24::/48",  B, {270002, kAsnB}, "", {}, {}, Reject::kFirstAsNotPeer},
    {"next_hop_not_peer", "200.16.25.0/24",   A, {kAsnA}, "10.16.0.12", {}, {}, Reject::kNextHopNotPeer},
    {"next_hop_not_peer", "2801:16:25::/48",  B, {kAsnB}, "fd16::11",   {}, {}, Reject::kNextHopNotPeer},
    {"irr_prefix",        "200.16.26.0/24",   A, {kAsnA}, "", {}, {}, Reject::kIrrPrefix},
    {"irr_prefix",        "2801:16:26::/48",  B, {kAsnB}, "", {}, {}, Reject::kIrrPrefix},
    {"irr_origin",        "200.16.27.0/24",   A, {kAsnA, 52999}, "", {}, {}, Reject::kIrrOrigin},
    {"irr_origin",        "2801:16:27::/48",  B, {kAsnB, 52999}, "", {}, {}, Reject::kIrrOrigin},
    {"rpki_invalid",      "200.16.28.0/24",   A, {kAsnA}, "", {}, {}, Reject::kRpkiInvalid},
    {"rpki_invalid",      "2801:16:28::/48",  B, {kAsnB}, "", {}, {}, Reject::kRpkiInvalid},
    {"transit_free_asn",  "200.16.29.0/24",   A, {kAsnA, 3356, 270000}, "", {}, {}, Reject::kTransitFreeAsn},
    {"transit_free_asn",  "2801:16:29::/48",  B, {kAsnB, 1299, 270002}, "", {}, {}, Reject::kTransitFreeAsn},
    {"well_known_community", "200.16.30.0/24",  A, {kAsnA}, "", {"65535:65281"}, {}, Reject::kWellKnownCommunity},
    {"well_known_community", "2801:16:30::/48", B, {kAsnB}, "", {"65535:65282"}, {}, Reject::kWellKnownCommunity},
    // Member D goes over its max-prefix limit (kMaxPrefixD per family) with
    // routes that are good one by one: the limit decides, so which of them
    // (if any) pass depends on the order they come in.
    {"max_prefix", "200.16.40.0/24",  D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
    {"max_prefix", "200.16.41.0/24",  D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
    {"max_prefix", "200.16.42.0/24",  D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
    {"max_prefix", "2801:16:40::/48", D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
    {"max_prefix", "2801:16:41::/48", D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
    {"max_prefix", "2801:16:42::/48", D, {kAsnD}, "", {}, {}, Reject::kMaxPrefix},
  };
  // clang-format on
}

// The RPKI-invalid rows and the VRP that makes each valid (the flip).
struct Vrp {
  std::string prefix;
  int max_length;
  uint32_t asn;
};
inline std::vector<Vrp> BaseVrps() {
  return {
      {"200.16.1.0/24", 24, kAsnA},   {"200.16.3.0/24", 24, kAsnB},
      {"2801:16:1::/48", 48, kAsnA},  {"2801:16:3::/48", 48, kAsnB},
      {"200.16.28.0/24", 24, 270000}, {"2801:16:28::/48", 48, 270002},
  };
}
inline std::vector<Vrp> FlipVrps() {
  return {{"200.16.28.0/24", 24, kAsnA}, {"2801:16:28::/48", 48, kAsnB}};
}

inline std::string VrpJson(const std::vector<Vrp>& vrps) {
  std::string j = "{\"metadata\": {\"buildtime\": \"2026-12-06T00:00:00Z\"}, \"roas\": [";
  for (size_t i = 0; i < vrps.size(); ++i) {
    j += (i ? ",\n" : "\n") + std::string("{\"asn\": ") + std::to_string(vrps[i].asn) +
         ", \"prefix\": \"" + vrps[i].prefix +
         "\", \"maxLength\": " + std::to_string(vrps[i].max_length) + ", \"ta\": \"lab\"}";
  }
  return j + "\n]}\n";
}

inline std::string SpeakerAddress(Speaker s, bool v6) {
  const std::string host = s == Speaker::kGobgpA ? "11" : s == Speaker::kExabgpB ? "12" : "14";
  return (v6 ? "fd16::" : "10.16.0.") + host;
}
inline const char* SpeakerName(Speaker s) {
  return s == Speaker::kGobgpA ? "GoBGP A" : s == Speaker::kExabgpB ? "ExaBGP B" : "GoBGP D";
}

// RPSL: the two as-sets and a route/route6 object (origin = the row's
// last AS) for every row but the irr_prefix ones; the irr_origin rows are
// registered for the member's own ASN, not for the origin they announce.
// `relaxed`: what a careless IRR would say, which makes the IRR rows pass
// (their route objects exist, AS52999 is in both as-sets): the route
// server generated from it leaks them.
inline std::string IrrRpsl(const std::vector<LabRoute>& matrix, bool relaxed = false) {
  const std::string extra = relaxed ? ", AS52999" : "";
  std::string s = "as-set:         AS-LABALPHA\nmembers:        AS28000, AS270000" + extra +
                  "\nsource:         LAB\n\nas-set:         AS-LABBETA\nmembers:        AS263000, "
                  "AS270002" +
                  extra +
                  "\nsource:         LAB\n\nas-set:         AS-LABDELTA\nmembers:        AS52001"
                  "\nsource:         LAB\n\n";
  const auto route = [&](const std::string& prefix, bool v6, uint32_t origin) {
    s += std::string(v6 ? "route6:" : "route: ") + "         " + prefix + "\n" +
         "origin:         AS" + std::to_string(origin) + "\nsource:         LAB\n\n";
  };
  for (const LabRoute& r : matrix) {
    if (r.rule == "irr_prefix" && !relaxed) continue;
    if (r.rule == "irr_origin") {
      route(r.prefix, r.v6(), r.path.front());
      if (!relaxed) continue;
    }
    route(r.prefix, r.v6(), r.path.back());
  }
  return s;
}

// The rows a route server generated from the relaxed IRR, with the RPKI
// rows' VRPs flipped, lets through.
inline bool LeaksWhenRelaxed(const LabRoute& r) {
  return r.rule == "irr_prefix" || r.rule == "irr_origin" || r.rule == "rpki_invalid";
}

// IX-F Member Export 1.0 of the lab's exchange.
inline std::string MembersIxf() {
  const auto member = [](uint32_t asn, const std::string& name, const std::string& n,
                         const std::string& macro, uint32_t max_prefix = 100) {
    const std::string mp = std::to_string(max_prefix);
    const std::string m = macro.empty() ? "" : ", \"as_macro\": \"" + macro + "\"";
    return "{\"asnum\": " + std::to_string(asn) + ", \"name\": \"" + name +
           "\", \"member_type\": \"peering\", \"connection_list\": [{\"ixp_id\": 1, \"state\": "
           "\"active\", \"if_list\": [{\"if_speed\": 10000}], \"vlan_list\": [{\"vlan_id\": 1, "
           "\"ipv4\": {\"address\": \"10.16.0." +
           n + "\", \"routeserver\": true, \"max_prefix\": " + mp + m +
           "}, \"ipv6\": {\"address\": \"fd16::" + n +
           "\", \"routeserver\": true, \"max_prefix\": " + mp + m + "}}]}]}";
  };
  return "{\"version\": \"1.0\", \"timestamp\": \"2026-12-06T00:00:00Z\", \"ixp_list\": [{"
         "\"ixp_id\": 1, \"shortname\": \"LAB-IX\", \"vlan\": [{\"id\": 1, \"ipv4\": {\"prefix\": "
         "\"10.16.0.0\", \"mask_length\": 24}, \"ipv6\": {\"prefix\": \"fd16::\", "
         "\"mask_length\": 64}}]}], \"member_list\": [\n" +
         member(kAsnA, "Lab Alpha (GoBGP)", "11", "AS-LABALPHA") + ",\n" +
         member(kAsnB, "Lab Beta (ExaBGP)", "12", "AS-LABBETA") + ",\n" +
         member(kAsnC, "Lab Gamma (FRR)", "13", "") + ",\n" +
         member(kAsnD, "Lab Delta (GoBGP)", "14", "AS-LABDELTA", kMaxPrefixD) + "\n]}\n";
}

inline std::string Join(const std::vector<uint32_t>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

// `gobgp global rib add` arguments for a row of member A. GoBGP puts its
// own ASN first on an eBGP session, so the path given is the rest.
inline std::string GobgpAddArgs(const LabRoute& r) {
  std::string a = r.prefix;
  if (r.path.size() > 1) {
    a += " aspath " + Join(std::vector<uint32_t>(r.path.begin() + 1, r.path.end()), ",");
  }
  if (!r.next_hop.empty()) a += " nexthop " + r.next_hop;
  for (const std::string& c : r.communities) a += " community " + c;
  for (const std::string& l : r.large) a += " large-community " + l;
  return a + (r.v6() ? " -a ipv6" : " -a ipv4");
}

// ExaBGP 4 configuration of member B: one neighbor per family, its rows
// as static routes with the AS_PATH exactly as given.
inline std::string ExabgpConf(const std::vector<LabRoute>& matrix) {
  std::string s;
  for (const bool v6 : {false, true}) {
    s += "neighbor " + std::string(v6 ? "fd16::10" : "10.16.0.10") +
         " {\n  router-id 10.16.0.12;\n  local-address " + SpeakerAddress(Speaker::kExabgpB, v6) +
         ";\n  local-as " + std::to_string(kAsnB) + ";\n  peer-as " + std::to_string(kRsAsn) +
         ";\n  family { " + (v6 ? "ipv6" : "ipv4") + " unicast; }\n  static {\n";
    for (const LabRoute& r : matrix) {
      if (r.speaker != Speaker::kExabgpB || r.v6() != v6) continue;
      s += "    route " + r.prefix + " next-hop " +
           (r.next_hop.empty() ? SpeakerAddress(r.speaker, v6) : r.next_hop) + " as-path [ " +
           Join(r.path, " ") + " ]";
      if (!r.communities.empty()) {
        s += " community [ ";
        for (const auto& c : r.communities) s += c + " ";
        s += "]";
      }
      if (!r.large.empty()) {
        s += " large-community [ ";
        for (const auto& c : r.large) s += c + " ";
        s += "]";
      }
      s += ";\n";
    }
    s += "  }\n}\n";
  }
  return s;
}

// gobgpd's configuration for speaker A or D.
inline std::string GobgpToml(Speaker who) {
  const std::string v4 = SpeakerAddress(who, false), v6a = SpeakerAddress(who, true);
  std::string s =
      "[global.config]\n  as = " + std::to_string(who == Speaker::kGobgpA ? kAsnA : kAsnD) +
      "\n  router-id = \"" + v4 + "\"\n  local-address-list = [\"" + v4 + "\", \"" + v6a + "\"]\n";
  for (const bool v6 : {false, true}) {
    s += std::string("[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"") +
         (v6 ? "fd16::10" : "10.16.0.10") + "\"\n    peer-as = " + std::to_string(kRsAsn) +
         "\n  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"" +
         (v6 ? "ipv6-unicast" : "ipv4-unicast") +
         "\"\n  [neighbors.timers.config]\n    connect-retry = 1\n";
  }
  return s;
}

// FRR bgpd of member C: receives from the route server, announces nothing.
// The route server does not put its ASN in the path (RFC 7947 §2.2.2.1),
// hence no enforce-first-as.
inline std::string FrrConf() {
  return "frr defaults traditional\nhostname lab-c\nroute-map NONE deny 10\nrouter bgp 28001\n"
         " bgp router-id 10.16.0.13\n no bgp ebgp-requires-policy\n no bgp enforce-first-as\n"
         " neighbor 10.16.0.10 remote-as 59900\n neighbor fd16::10 remote-as 59900\n"
         " address-family ipv4 unicast\n  neighbor 10.16.0.10 activate\n"
         "  neighbor 10.16.0.10 route-map NONE out\n  no neighbor fd16::10 activate\n"
         " exit-address-family\n address-family ipv6 unicast\n  neighbor fd16::10 activate\n"
         "  neighbor fd16::10 route-map NONE out\n exit-address-family\n";
}

}  // namespace vigia::ixp_lab
