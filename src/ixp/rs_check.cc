// RsCheck: the rules of MANRS for IXPs Action 1 applied to the routes of a
// route server's RIB dump (rs_check.h).
#include "ixp/rs_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "irr/as_set_expander.h"
#include "irr/irr_index.h"
#include "irr/route_check.h"
#include "registry/bogons.h"
#include "registry/range_set.h"
#include "registry/special_purpose.h"
#include "rpki/origin_validation.h"
#include "rpki/vrp.h"

namespace vigia::ixp {
namespace {

std::string DateOf(uint32_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// The first ASN of the path when its first segment is an AS_SEQUENCE (the
// neighbour that announced it, RFC 4271 §5.1.2), else 0.
Asn FirstAs(const bgp::AsPath& p) {
  if (p.segments.empty() || p.asns.empty()) return 0;
  if (p.segments[0].type != bgp::kAsSequence || p.segments[0].count == 0) return 0;
  return p.asns[0];
}

// The last ASN of the last AS_SEQUENCE segment, or 0.
Asn LastNonAggregated(const bgp::AsPath& p) {
  size_t end = p.asns.size();
  for (size_t i = p.segments.size(); i-- > 0;) {
    const bgp::AsPath::Segment& seg = p.segments[i];
    if (seg.count > end) return 0;  // malformed: counts past the ASNs
    if (seg.type == bgp::kAsSequence && seg.count > 0) return p.asns[end - 1];
    end -= seg.count;
  }
  return 0;
}

// Is the whole address range of p inside one range of s?
bool Inside(const registry::RangeSet& s, const Prefix& p) {
  const Prefix m = p.Masked();
  const registry::Uint128 first = registry::AddressToInt(m.address());
  const int host = m.address().bit_width() - m.length();
  const registry::Uint128 span =
      host >= 128 ? ~registry::Uint128{0} : ((registry::Uint128{1} << host) - 1);
  const registry::Uint128 last = first + span;
  const auto& ranges = s.ranges();
  auto it = std::upper_bound(
      ranges.begin(), ranges.end(), first,
      [](registry::Uint128 v, const registry::AddressRange& r) { return v < r.first; });
  if (it == ranges.begin()) return false;
  --it;
  return it->first <= first && last <= it->last;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& s : parts) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

IpAddress RouteNextHop(const bgp::PathAttributes& attrs, Family family) {
  if (family == Family::kIpv6 || !attrs.Has(bgp::kAttrNextHop)) {
    for (size_t i = 0; i < attrs.mp_reach_count && i < attrs.mp_reach.size(); ++i) {
      const bgp::MpReach& m = attrs.mp_reach[i];
      if (m.next_hop_length == 16 || m.next_hop_length == 32 || m.next_hop_length == 4)
        return m.next_hop;
    }
  }
  return attrs.next_hop;
}

// What a member registered in the IRR: its as-sets expanded once.
struct IrrIntent {
  std::vector<Asn> asns;       // sorted
  std::vector<Prefix> v4, v6;  // sorted
  std::string sets;            // "AS-FOO, AS-BAR" as the member gave them
  std::string problem;         // "AS-FOO not found in the IRR", or ""
};

struct RsCheck::Impl {
  CheckInputs in;
  std::map<Asn, size_t> by_asn;
  std::map<IpAddress, size_t> by_address;
  // What the routes read so far gave.
  struct Tally {
    std::vector<MemberReport> reports;  // by member index
    std::vector<bool> touched;
    std::map<std::pair<IpAddress, Asn>, uint64_t> peers;  // every peer seen, with its routes
    std::map<std::pair<IpAddress, Asn>, uint64_t> unknown;
    std::map<std::pair<IpAddress, Asn>, uint64_t> rs_peers;
    std::string first_date;
    uint64_t local = 0;
    uint64_t rib_routes = 0, withdrawn = 0, undecoded = 0, judged = 0, bad = 0, filtered = 0;
    std::map<Reject, uint64_t> by_reason;
    size_t kept = 0;  // bad routes kept, all members
  };
  Tally t;
  // The tally when the current file began: BIRD's periodic `mrt dump`
  // appends a whole dump (PEER_INDEX_TABLE, then the RIB) to the same file
  // each period, so a PEER_INDEX_TABLE after RIB records inside a file
  // starts a newer dump that replaces the file's earlier ones.
  Tally file_start;
  bool rib_since_index = false;
  uint64_t dumps_replaced = 0;
  std::set<std::string> formats;
  mutable std::unordered_map<Asn, IrrIntent> irr_cache;
  std::vector<Asn> transit_free;                                        // sorted
  registry::RangeSet special4{Family::kIpv4}, special6{Family::kIpv6};  // bogon space
  // Judging a TABLE_DUMP (v1) entry: its AS_PATH has 2-byte ASNs, so a
  // 4-byte one was written as AS_TRANS (RFC 6793 §4.2.2) and is no bogon.
  bool two_byte_path = false;

  const IrrIntent& Intent(const Member& m) const {
    auto it = irr_cache.find(m.asn);
    if (it != irr_cache.end()) return it->second;
    IrrIntent intent;
    std::vector<std::string> names = m.as_sets;
    if (names.empty()) names.push_back(fmt::format("AS{}", m.asn));
    intent.sets = Join(names, ", ");
    std::vector<std::string> missing;
    irr::ExpandOptions opts;
    for (const std::string& name : names) {
      const irr::ExpandResult r = irr::ExpandAsSet(*in.irr, name, opts);
      if (!r.found) missing.push_back(name);
      intent.asns.insert(intent.asns.end(), r.asns.begin(), r.asns.end());
      intent.v4.insert(intent.v4.end(), r.ipv4.begin(), r.ipv4.end());
      intent.v6.insert(intent.v6.end(), r.ipv6.begin(), r.ipv6.end());
    }
    for (auto* v : {&intent.v4, &intent.v6}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    std::sort(intent.asns.begin(), intent.asns.end());
    intent.asns.erase(std::unique(intent.asns.begin(), intent.asns.end()), intent.asns.end());
    if (!missing.empty()) intent.problem = Join(missing, ", ") + " not found in the IRR";
    return irr_cache.emplace(m.asn, std::move(intent)).first->second;
  }

  // Is p a prefix of the sorted list, or (more_specific) inside one?
  static bool Covered(const std::vector<Prefix>& list, const Prefix& p, bool more_specific) {
    const Prefix exact = p.Masked();
    if (std::binary_search(list.begin(), list.end(), exact)) return true;
    if (!more_specific) return false;
    for (int len = p.length() - 1; len >= 0; --len) {
      const Prefix q = Prefix(p.address(), static_cast<uint8_t>(len)).Masked();
      if (std::binary_search(list.begin(), list.end(), q)) return true;
    }
    return false;
  }
};

RsCheck::RsCheck(CheckInputs in) : impl_(std::make_unique<Impl>()) {
  impl_->in = std::move(in);
  const MemberList& list = *impl_->in.members;
  impl_->t.reports.resize(list.members.size());
  impl_->t.touched.resize(list.members.size());
  for (size_t i = 0; i < list.members.size(); ++i) {
    const Member& m = list.members[i];
    impl_->by_asn.emplace(m.asn, i);
    for (const IpAddress& a : m.addresses) impl_->by_address.emplace(a, i);
    impl_->t.reports[i].asn = m.asn;
    impl_->t.reports[i].name = m.name;
  }
  const registry::BogonList special = registry::BogonList::Compute(
      registry::DelegatedStats{}, registry::IanaRegistry{}, {.special_only = true});
  impl_->special4 = special.All(Family::kIpv4);
  impl_->special6 = special.All(Family::kIpv6);
  impl_->transit_free = impl_->in.policy.transit_free;
  std::sort(impl_->transit_free.begin(), impl_->transit_free.end());
}

RsCheck::~RsCheck() = default;

void RsCheck::Add(const mrt::Decoder& d) {
  Impl& s = *impl_;
  if (d.kind() == mrt::EntryKind::kPeerIndexTable) {
    s.formats.insert("TABLE_DUMP_V2");  // a RIB, if an empty one
    if (d.record().offset == 0) {
      s.file_start = s.t;
    } else if (s.rib_since_index) {
      s.t = s.file_start;
      ++s.dumps_replaced;
    }
    s.rib_since_index = false;
    if (s.t.first_date.empty()) s.t.first_date = DateOf(d.record().header.timestamp);
  } else if (d.kind() == mrt::EntryKind::kRib) {
    s.rib_since_index = true;
    const mrt::Rib& rib = d.rib();
    if (s.t.first_date.empty()) s.t.first_date = DateOf(d.record().header.timestamp);
    s.formats.insert("TABLE_DUMP_V2");
    const auto& peers = d.peer_index().peers;
    for (size_t i = 0; i < rib.entry_count && i < rib.entries.size(); ++i) {
      const mrt::RibEntry& e = rib.entries[i];
      ++s.t.rib_routes;
      if (!rib.prefix_decoded) {
        ++s.t.undecoded;
        continue;
      }
      if (e.attrs.withdrawn()) {
        ++s.t.withdrawn;
        continue;
      }
      // The decoder refuses a RIB record whose peer index is past the table.
      if (e.peer_index >= peers.size()) {
        ++s.t.undecoded;
        continue;
      }
      const mrt::PeerEntry& p = peers[e.peer_index];
      AddRoute(p.ip, p.asn, rib.prefix, e.attrs);
    }
  } else if (d.kind() == mrt::EntryKind::kTableDump) {
    const mrt::TableDump& td = d.table_dump();
    if (s.t.first_date.empty()) s.t.first_date = DateOf(d.record().header.timestamp);
    s.formats.insert("TABLE_DUMP");
    for (size_t i = 0; i < td.entry_count && i < td.entries.size(); ++i) {
      const mrt::TableDumpEntry& e = td.entries[i];
      ++s.t.rib_routes;
      if (e.attrs.withdrawn()) {
        ++s.t.withdrawn;
        continue;
      }
      s.two_byte_path = e.attrs.as4_path.empty();
      AddRoute(e.peer_ip, e.peer_as, e.prefix, e.attrs);
      s.two_byte_path = false;
    }
  }
}

void RsCheck::AddRoute(const IpAddress& peer_ip, Asn peer_asn, const Prefix& prefix,
                       const bgp::PathAttributes& attrs) {
  Impl& s = *impl_;
  const auto key = std::make_pair(peer_ip, peer_asn);
  ++s.t.peers[key];
  if (peer_asn == 0 && peer_ip.IsZero()) {
    ++s.t.local;
    return;
  }
  const std::optional<Asn> rs_asn = s.in.policy.rs_asn;
  const MemberList& list = *s.in.members;

  // Whose route is it? See the header: the peer itself when it is a member,
  // else (the route server seen by a client) the next hop's owner, else the
  // first AS.
  std::optional<size_t> who;
  bool client_view = false;
  if (rs_asn && peer_asn == *rs_asn) {
    client_view = true;
  } else if (auto it = s.by_asn.find(peer_asn); it != s.by_asn.end()) {
    who = it->second;
  } else if (auto at = s.by_address.find(peer_ip); at != s.by_address.end()) {
    who = at->second;
  } else if (!rs_asn) {
    client_view = true;
  }
  if (client_view) {
    ++s.t.rs_peers[key];
    const IpAddress nh = RouteNextHop(attrs, prefix.family());
    if (auto at = s.by_address.find(nh); at != s.by_address.end()) {
      who = at->second;
    } else if (auto it = s.by_asn.find(FirstAs(attrs.as_path)); it != s.by_asn.end()) {
      who = it->second;
    }
  }
  if (!who) {
    ++s.t.unknown[key];
    return;
  }
  MemberReport& rep = s.t.reports[*who];
  s.t.touched[*who] = true;

  // RFC 8092 large community RS_ASN:1101:<code>: the server kept the route
  // as filtered (reason.h); it was not accepted.
  const Asn community_asn = rs_asn ? *rs_asn : (client_view ? peer_asn : 0);
  if (community_asn != 0) {
    for (const bgp::LargeCommunity& c : attrs.large_communities) {
      if (c.global_admin == community_asn && c.local1 == kRejectFunction) {
        ++rep.filtered_codes[c.local2];
        ++rep.filtered;
        ++s.t.filtered;
        return;
      }
    }
  }

  ++rep.routes;
  ++(prefix.family() == Family::kIpv4 ? rep.routes4 : rep.routes6);
  ++s.t.judged;
  std::string detail;
  std::vector<Reject> reasons = Judge(list.members[*who], prefix, attrs, &detail);
  if (reasons.empty()) return;
  ++rep.bad;
  ++s.t.bad;
  for (Reject r : reasons) {
    ++rep.by_reason[r];
    ++s.t.by_reason[r];
  }
  if (rep.bad_routes.size() >= kMaxBadRoutesKept || s.t.kept >= kMaxBadRoutesKeptTotal) {
    rep.bad_routes_truncated = true;
    return;
  }
  BadRoute b;
  b.prefix = prefix.ToString();
  b.as_path = attrs.as_path.ToString();
  b.next_hop = RouteNextHop(attrs, prefix.family()).ToString();
  b.peer = peer_ip.ToString();
  b.reasons = std::move(reasons);
  b.detail = std::move(detail);
  rep.bad_routes.push_back(std::move(b));
  ++s.t.kept;
}

std::vector<Reject> RsCheck::Judge(const Member& m, const Prefix& prefix,
                                   const bgp::PathAttributes& attrs, std::string* detail) const {
  const Impl& s = *impl_;
  const CheckPolicy& pol = s.in.policy;
  std::vector<Reject> out;
  std::vector<std::string> why;
  auto add = [&](Reject r, std::string text) {
    out.push_back(r);
    why.push_back(std::move(text));
  };
  const bool v4 = prefix.family() == Family::kIpv4;
  const bgp::AsPath& path = attrs.as_path;

  // Prefix length limits (MANRS for IXPs Action 1; IXP Manager codes 1, 2).
  const uint8_t max_len = v4 ? pol.max_length4 : pol.max_length6;
  const uint8_t min_len = v4 ? pol.min_length4 : pol.min_length6;
  if (prefix.length() > max_len)
    add(Reject::kPrefixTooLong, fmt::format("/{} longer than /{}", prefix.length(), max_len));
  if (prefix.length() < min_len)
    add(Reject::kPrefixTooShort, fmt::format("/{} shorter than /{}", prefix.length(), min_len));

  // Bogon prefix: inside the special-purpose space that is not globally
  // reachable (RFC 6890, RFC 8190, carve-outs kept), computed as the
  // generated config's bogon list is (`vigia bogons --special-only`), or
  // inside the extra list.
  if (Inside(v4 ? s.special4 : s.special6, prefix)) {
    const auto covering = registry::SpecialPurposeCovering(prefix);
    add(Reject::kBogon, covering.empty()
                            ? std::string("bogon: special-purpose space")
                            : fmt::format("bogon: {} {} ({})", covering.back()->prefix.ToString(),
                                          covering.back()->name, covering.back()->rfc));
  } else if (const registry::RangeSet* extra = v4 ? s.in.bogons4 : s.in.bogons6;
             extra != nullptr && Inside(*extra, prefix)) {
    add(Reject::kBogon, "bogon: inside the --bogons list");
  }

  // Bogon ASN anywhere in the path (RFC 7607 AS 0, RFC 6996 private use,
  // RFC 5398 documentation, AS_TRANS, reserved).
  for (Asn a : path.asns) {
    if (a == kAsTrans && s.two_byte_path) continue;
    if (const registry::SpecialAsnRange* r = registry::FindSpecialAsn(a)) {
      add(Reject::kBogonAsn, fmt::format("bogon ASN {} ({}, {})", a, r->name, r->rfc));
      break;
    }
  }

  // AS_PATH length (RFC 4271 §9.1.2.2 counting; IXP Manager codes 5, 6).
  if (path.empty() || path.asns.empty()) {
    add(Reject::kAsPathTooShort, "empty AS_PATH");
  } else if (path.HopCount() > pol.max_as_path) {
    add(Reject::kAsPathTooLong,
        fmt::format("AS_PATH of {} hops, limit {}", path.HopCount(), pol.max_as_path));
  }

  // First AS = the member (RFC 4271 §6.3 lets a route server check it; the
  // route server is transparent, RFC 7947 §2.2, so the member is first).
  if (!path.asns.empty()) {
    const Asn first = FirstAs(path);
    if (first != m.asn)
      add(Reject::kFirstAsNotPeer,
          first == 0 ? fmt::format("AS_PATH starts with an AS_SET, member AS{}", m.asn)
                     : fmt::format("first AS {}, member AS{}", first, m.asn));
  }

  // Next hop = one of the member's addresses (RFC 7948 §4.8).
  if (!m.addresses.empty()) {
    const IpAddress nh = RouteNextHop(attrs, prefix.family());
    if (std::find(m.addresses.begin(), m.addresses.end(), nh) == m.addresses.end())
      add(Reject::kNextHopNotPeer, fmt::format("next hop {} is not AS{}'s", nh.ToString(), m.asn));
  }

  // A transit-free network's ASN in the path, other than the member's own:
  // a route leak through a member (IXP Manager code 14; the BIRD config's
  // `delete(bgp_path, member) ~ TRANSIT_FREE_ASNS`).
  for (size_t i = 0; i < path.asns.size(); ++i) {
    const Asn a = path.asns[i];
    if (a != m.asn && std::binary_search(s.transit_free.begin(), s.transit_free.end(), a)) {
      add(Reject::kTransitFreeAsn, fmt::format("transit-free AS{} in the path", a));
      break;
    }
  }

  const Asn origin = path.Origin();

  // IRR: origin in the member's as-sets, prefix covered by their route
  // objects (RFC 2622 §5.1 expansion), and registered for that origin.
  if (s.in.irr != nullptr) {
    const IrrIntent& intent = s.Intent(m);
    bool origin_ok = false;
    // The origin the IRR is asked about is the last AS of the path's last
    // AS_SEQUENCE, an AS_SET after it left out (BIRD's
    // bgp_path.last_nonaggregated, as the generated config has it).
    const Asn irr_origin = origin != 0 ? origin : LastNonAggregated(path);
    if (irr_origin == 0) {
      add(Reject::kIrrOrigin, "no origin AS (no AS_SEQUENCE in the path)");
    } else if (std::binary_search(intent.asns.begin(), intent.asns.end(), irr_origin)) {
      origin_ok = true;
    } else {
      add(Reject::kIrrOrigin,
          fmt::format("origin AS{} not in {}{}", irr_origin, intent.sets,
                      intent.problem.empty() ? "" : " (" + intent.problem + ")"));
    }
    if (!Impl::Covered(v4 ? intent.v4 : intent.v6, prefix, pol.irr_allow_more_specific)) {
      add(Reject::kIrrPrefix,
          fmt::format("no route object of {} {} {}{}", intent.sets,
                      pol.irr_allow_more_specific ? "covers" : "is exactly", prefix.ToString(),
                      intent.problem.empty() ? "" : " (" + intent.problem + ")"));
    } else if (origin_ok && pol.irr_prefix_origin) {
      // The finer check: a route object registers this prefix (or a less
      // specific) for this very origin.
      const irr::IrrCheckResult r = irr::CheckRoute(*s.in.irr, prefix, irr_origin);
      if (r.state == irr::IrrState::kOtherOrigin || r.state == irr::IrrState::kNotFound)
        add(Reject::kPrefixNotInOrigin,
            fmt::format("no route object for {} with origin AS{} ({})", prefix.ToString(),
                        irr_origin, irr::IrrStateName(r.state)));
    }
  }

  // RPKI origin validation (RFC 6811 §2): Invalid is rejected.
  if (s.in.vrps != nullptr) {
    const rpki::RovState st = rpki::ValidateState(*s.in.vrps, prefix, origin);
    if (st == rpki::RovState::kInvalidOrigin || st == rpki::RovState::kInvalidLength) {
      const rpki::RovResult r = rpki::Validate(*s.in.vrps, prefix, origin);
      std::vector<std::string> vrps;
      for (size_t i = 0; i < r.covering.size() && i < 5; ++i) {
        const rpki::Vrp& v = r.covering[i];
        vrps.push_back(fmt::format("{}-{} AS{}", v.prefix.ToString(), v.max_length, v.asn));
      }
      if (r.covering.size() > 5) vrps.push_back(fmt::format("{} more", r.covering.size() - 5));
      add(Reject::kRpkiInvalid, fmt::format("RPKI {} (origin AS{}; VRPs {})",
                                            rpki::RovStateName(st), origin, Join(vrps, ", ")));
    }
  }

  // Code order, as reason.h lists them.
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return static_cast<uint32_t>(out[a]) < static_cast<uint32_t>(out[b]);
  });
  std::vector<Reject> sorted;
  std::vector<std::string> texts;
  for (size_t i : order) {
    sorted.push_back(out[i]);
    texts.push_back(why[i]);
  }
  if (detail != nullptr) *detail = Join(texts, "; ");
  return sorted;
}

CheckReport RsCheck::Finish() const {
  const Impl& s = *impl_;
  CheckReport r;
  r.rib_format = Join(std::vector<std::string>(s.formats.rbegin(), s.formats.rend()), "+");
  r.rib_date = s.t.first_date;
  r.rib_routes = s.t.rib_routes;
  r.rib_peers = s.t.peers.size();
  r.withdrawn = s.t.withdrawn;
  r.undecoded = s.t.undecoded;
  r.local_routes = s.t.local;
  r.dumps_replaced = s.dumps_replaced;
  for (const auto& [k, n] : s.t.rs_peers) r.rs_peers.push_back({k.first, k.second, n});
  r.routes = s.t.judged;
  r.accepted_bad = s.t.bad;
  r.filtered = s.t.filtered;
  r.by_reason = s.t.by_reason;
  if (s.in.vrps == nullptr) r.not_checked.push_back("rpki");
  if (s.in.irr == nullptr) r.not_checked.push_back("irr");
  r.rules_checked = {Reject::kPrefixTooLong,  Reject::kPrefixTooShort, Reject::kBogon,
                     Reject::kBogonAsn,       Reject::kAsPathTooLong,  Reject::kAsPathTooShort,
                     Reject::kFirstAsNotPeer, Reject::kNextHopNotPeer};
  if (s.in.irr != nullptr) {
    r.rules_checked.push_back(Reject::kIrrPrefix);
    r.rules_checked.push_back(Reject::kIrrOrigin);
    if (s.in.policy.irr_prefix_origin) r.rules_checked.push_back(Reject::kPrefixNotInOrigin);
  }
  if (s.in.vrps != nullptr) r.rules_checked.push_back(Reject::kRpkiInvalid);
  r.rules_checked.push_back(Reject::kTransitFreeAsn);
  for (size_t i = 0; i < s.t.reports.size(); ++i) {
    if (!s.t.touched[i]) continue;
    MemberReport m = s.t.reports[i];
    const Member& member = s.in.members->members[i];
    const uint32_t limit4 = member.max_prefix4.value_or(kDefaultMaxPrefix4);
    const uint32_t limit6 = member.max_prefix6.value_or(kDefaultMaxPrefix6);
    if (m.routes4 > limit4)
      m.max_prefix_exceeded.push_back(fmt::format("ipv4: {} routes, limit {}", m.routes4, limit4));
    if (m.routes6 > limit6)
      m.max_prefix_exceeded.push_back(fmt::format("ipv6: {} routes, limit {}", m.routes6, limit6));
    r.members_over_max_prefix += !m.max_prefix_exceeded.empty();
    r.per_member.push_back(std::move(m));
  }
  r.members_total = s.t.reports.size();
  for (const auto& [k, n] : s.t.unknown) {
    if (r.unknown_peers.size() >= kMaxUnknownPeers) {
      r.unknown_peers_truncated = true;
      break;
    }
    r.unknown_peers.push_back({k.first, k.second, n});
  }
  return r;
}

namespace {

// The counts of m by reason key, in code order; with `checked`, also a 0
// for each checked reason m does not have.
nlohmann::ordered_json ByReason(const std::map<Reject, uint64_t>& m,
                                const std::vector<Reject>* checked) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const ReasonInfo& info : RejectReasons()) {
    auto it = m.find(info.code);
    if (it != m.end()) {
      j[std::string(info.key)] = it->second;
    } else if (checked != nullptr &&
               std::find(checked->begin(), checked->end(), info.code) != checked->end()) {
      j[std::string(info.key)] = 0;
    }
  }
  return j;
}

nlohmann::ordered_json DateOrNull(const std::string& d) {
  return d.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d);
}

}  // namespace

std::string ReportJson(const CheckReport& r, int indent) {
  using J = nlohmann::ordered_json;
  J j;
  j["rib"] = {{"file", r.rib_file},
              {"format", r.rib_format},
              {"date", DateOrNull(r.rib_date)},
              {"routes", r.rib_routes},
              {"peers", r.rib_peers},
              {"withdrawn", r.withdrawn},
              {"undecoded", r.undecoded},
              {"local_routes", r.local_routes},
              {"dumps_replaced", r.dumps_replaced}};
  J rs = J::array();
  for (const PeerCount& p : r.rs_peers)
    rs.push_back({{"peer", p.peer.ToString()}, {"asn", p.asn}, {"routes", p.routes}});
  j["rib"]["route_server_peers"] = rs;
  j["members"] = {{"file", r.members_file},
                  {"format", r.members_format},
                  {"date", DateOrNull(r.members_date)},
                  {"count", r.members_count}};
  J inputs;
  if (r.vrps) {
    inputs["vrps"] = {
        {"file", r.vrps->file}, {"count", r.vrps->count}, {"date", DateOrNull(r.vrps->date)}};
  } else {
    inputs["vrps"] = nullptr;
  }
  J irr = J::array();
  for (const InputFile& f : r.irr) irr.push_back({{"file", f.file}, {"date", DateOrNull(f.date)}});
  inputs["irr"] = irr;
  inputs["bogons"] = r.bogons;
  j["inputs"] = inputs;
  size_t with_bad = 0;
  for (const MemberReport& m : r.per_member) with_bad += m.bad > 0;
  j["summary"] = {{"routes", r.routes},
                  {"accepted_bad", r.accepted_bad},
                  {"filtered", r.filtered},
                  {"members", r.per_member.size()},
                  {"members_with_bad", with_bad},
                  {"members_over_max_prefix", r.members_over_max_prefix},
                  {"by_reason", ByReason(r.by_reason, &r.rules_checked)},
                  {"not_checked", r.not_checked}};
  J per = J::array();
  for (const MemberReport& m : r.per_member) {
    J pm = {{"asn", m.asn},           {"name", m.name},
            {"routes", m.routes},     {"bad", m.bad},
            {"filtered", m.filtered}, {"by_reason", ByReason(m.by_reason, nullptr)}};
    J routes = J::array();
    for (const BadRoute& b : m.bad_routes) {
      J reasons = J::array();
      for (Reject x : b.reasons) reasons.push_back(std::string(RejectKey(x)));
      routes.push_back({{"prefix", b.prefix},
                        {"as_path", b.as_path},
                        {"next_hop", b.next_hop},
                        {"peer", b.peer},
                        {"reasons", reasons},
                        {"detail", b.detail}});
    }
    J codes = J::object();
    for (const auto& [code, n] : m.filtered_codes) {
      const std::optional<Reject> x = RejectFromCode(code);
      codes[x ? std::string(RejectKey(*x)) : std::to_string(code)] = n;
    }
    pm["filtered_by_reason"] = codes;
    pm["routes4"] = m.routes4;
    pm["routes6"] = m.routes6;
    pm["max_prefix_exceeded"] = m.max_prefix_exceeded;
    pm["bad_routes"] = routes;
    pm["bad_routes_truncated"] = m.bad_routes_truncated;
    per.push_back(pm);
  }
  j["per_member"] = per;
  J unknown = J::array();
  for (const PeerCount& p : r.unknown_peers)
    unknown.push_back({{"peer", p.peer.ToString()}, {"asn", p.asn}, {"routes", p.routes}});
  j["unknown_peers"] = unknown;
  j["unknown_peers_truncated"] = r.unknown_peers_truncated;
  j["warnings"] = r.warnings;
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string ReportText(const CheckReport& r) {
  std::string out;
  auto date = [](const std::string& d) { return d.empty() ? std::string("undated") : d; };
  out += fmt::format("RIB {} ({}, {}): {} routes from {} peers", r.rib_file,
                     r.rib_format.empty() ? "no RIB records" : r.rib_format, date(r.rib_date),
                     r.rib_routes, r.rib_peers);
  if (r.withdrawn) out += fmt::format(", {} malformed (RFC 7606, not judged)", r.withdrawn);
  if (r.local_routes)
    out += fmt::format(", {} the server's own (peer AS 0, not judged)", r.local_routes);
  if (r.dumps_replaced)
    out += fmt::format(" (the last dump of the file; {} earlier ones replaced)", r.dumps_replaced);
  out += "\n";
  for (const PeerCount& p : r.rs_peers)
    out += fmt::format(
        "  peer {} AS{} is the route server (client view): routes given to "
        "members by next hop, else first AS\n",
        p.peer.ToString(), p.asn);
  out += fmt::format("members {} ({}, {}): {}\n", r.members_file, r.members_format,
                     date(r.members_date), r.members_count);
  if (r.vrps) {
    out += fmt::format("VRPs {} ({}): {}\n", r.vrps->file, date(r.vrps->date), r.vrps->count);
  }
  for (const InputFile& f : r.irr) out += fmt::format("IRR {} ({})\n", f.file, date(f.date));
  out += fmt::format("bogons: {}\n", r.bogons);
  for (const std::string& w : r.warnings) out += "warning: " + w + "\n";
  out += fmt::format("{} routes of {} members checked: {} accepted that should not have been",
                     r.routes, r.per_member.size(), r.accepted_bad);
  if (r.filtered) out += fmt::format(", {} filtered by the route server", r.filtered);
  out += "\n";
  if (!r.by_reason.empty()) {
    std::vector<std::string> parts;
    for (const ReasonInfo& info : RejectReasons())
      if (auto it = r.by_reason.find(info.code); it != r.by_reason.end())
        parts.push_back(fmt::format("{} {}", info.key, it->second));
    out += "  by reason: " + Join(parts, ", ") + "\n";
  }
  if (!r.not_checked.empty()) out += "  NOT checked (no data): " + Join(r.not_checked, ", ") + "\n";
  for (const MemberReport& m : r.per_member) {
    for (const std::string& x : m.max_prefix_exceeded)
      out += fmt::format("AS{}: over its max-prefix ({}): the session should have been stopped\n",
                         m.asn, x);
  }
  for (const MemberReport& m : r.per_member) {
    if (m.bad == 0) continue;
    std::vector<std::string> parts;
    for (const auto& [k, n] : m.by_reason) parts.push_back(fmt::format("{} {}", RejectKey(k), n));
    out += fmt::format("AS{}{}: {} of {} routes bad ({})\n", m.asn,
                       m.name.empty() ? "" : " " + m.name, m.bad, m.routes, Join(parts, ", "));
  }
  for (const MemberReport& m : r.per_member) {
    if (m.bad == 0) continue;
    out += fmt::format("\nAS{}{}\n", m.asn, m.name.empty() ? "" : " " + m.name);
    for (const BadRoute& b : m.bad_routes) {
      std::vector<std::string> keys;
      for (Reject x : b.reasons) keys.push_back(std::string(RejectKey(x)));
      out += fmt::format("  {} path {} next hop {} peer {}: {}\n    {}\n", b.prefix, b.as_path,
                         b.next_hop, b.peer, Join(keys, ", "), b.detail);
    }
    if (m.bad_routes_truncated)
      out += fmt::format("  ... {} more not listed\n", m.bad - m.bad_routes.size());
  }
  if (!r.unknown_peers.empty()) {
    out += "\nroutes given to no member (unknown peers):\n";
    for (const PeerCount& p : r.unknown_peers)
      out += fmt::format("  {} AS{}: {} routes\n", p.peer.ToString(), p.asn, p.routes);
  }
  return out;
}

int ReportExitCode(const CheckReport& r) { return r.accepted_bad > 0 ? 1 : 0; }

}  // namespace vigia::ixp
