// Possible hijacks, exact and sub-prefix (SPEC C7; MANRS M2): an origin new
// in the window, in conflict with the origins the prefix (or the prefix
// covering it) had at the window start.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/prefix_trie.h"
#include "detect/detect.h"
#include "irr/route_check.h"
#include "rpki/origin_validation.h"

namespace vigia::detect {

namespace {

// The legitimate origins of `p` other than `culprit` (Incident::victims,
// method decision 4): the holders the detector compared it with, the ASes
// of the ROAs covering `p` (RFC 6811 §2: "covering" VRPs; AS0 ROAs name no
// one, RFC 6483 §4) and the origins of the most specific route objects
// covering it (the IRR's registered holder; more-specific objects say
// nothing about `p`, as in irr/route_check.h). Ascending, at most
// kMaxVictims.
std::vector<Asn> VictimsOf(const rpki::VrpSet& vrps, const irr::IrrDatabase& irr_db,
                           const Prefix& p, const std::set<Asn>& holders, Asn culprit) {
  std::set<Asn> v(holders.begin(), holders.end());
  for (const rpki::Vrp& vrp : rpki::Validate(vrps, p, culprit).covering) v.insert(vrp.asn);
  uint8_t best = 0;
  std::set<Asn> irr;
  irr_db.ForEachCoveringRoute(p, [&](uint32_t i) {
    const irr::RouteObject& r = irr_db.routes()[i];
    if (r.prefix.length() > best) {
      best = r.prefix.length();
      irr.clear();
    }
    if (r.prefix.length() == best) irr.insert(r.origin);
  });
  v.insert(irr.begin(), irr.end());
  v.erase(0);
  v.erase(culprit);
  std::vector<Asn> out(v.begin(), v.end());
  if (out.size() > kMaxVictims) out.resize(kMaxVictims);
  return out;
}

}  // namespace

bool RelatedOrigins(const Snapshot& s, Asn a, Asn b) {
  // A sibling, or a direct customer or provider; a peer is no exception.
  const topology::Relation r = s.relations.RelationOf(a, b);
  return a == b || s.orgs.AreSiblings(a, b) || r == topology::Relation::kCustomer ||
         r == topology::Relation::kProvider;
}

Incident HijackIncident(const Snapshot& s, const rpki::VrpSet& vrps, const Prefix& p, Asn origin,
                        const Prefix& holder_prefix, const std::set<Asn>& holders, bool history) {
  const rpki::RovState rov = rpki::ValidateState(vrps, p, origin);
  const irr::IrrCheckResult irr = irr::CheckRoute(s.irr, p, origin);
  Incident in;
  const bool exact = holder_prefix == p;
  in.type = exact ? kHijack : kSubprefixHijack;
  in.kind = history ? "history" : exact ? "exact" : "more_specific";
  in.culprit = origin;
  in.prefixes = {p};
  std::string held;
  for (Asn h : holders) held += (held.empty() ? "AS" : ", AS") + std::to_string(h);
  in.cause = fmt::format("{} {} {}", in.kind, holder_prefix.ToString(), held);
  const std::string origin_text = std::to_string(origin);
  if (history) {
    AddReason(&in,
              fmt::format("AS{} originates {}; earlier snapshots saw it originated only by {}, "
                          "not a sibling, customer or provider",
                          origin, p.ToString(), held),
              {"detect.hijack.history",
               {{"origin", origin_text}, {"prefix", p.ToString()}, {"holders", held}}});
  } else {
    AddReason(&in,
              fmt::format("AS{} originates {} during the window; at its start {} was "
                          "originated by {}, not a sibling, customer or provider",
                          origin, p.ToString(), exact ? "it" : holder_prefix.ToString(), held),
              {exact ? "detect.hijack.new_origin_exact" : "detect.hijack.new_origin_covering",
               {{"origin", origin_text},
                {"prefix", p.ToString()},
                {"holder_prefix", holder_prefix.ToString()},
                {"holders", held}}});
  }
  double c = history ? 0.5 : 0.6;
  if (rov == rpki::RovState::kInvalidOrigin || rov == rpki::RovState::kInvalidLength) {
    c += 0.3;
    AddReason(&in, fmt::format("RPKI: {} (ROAs authorise other origins)", rpki::RovStateName(rov)),
              {rov == rpki::RovState::kInvalidLength ? "detect.hijack.rpki_invalid_length"
                                                     : "detect.hijack.rpki_invalid_origin",
               {}});
  } else {
    AddReason(&in, "RPKI: not-found", {"detect.hijack.rpki_not_found", {}});
  }
  if (irr.state == irr::IrrState::kExact || irr.state == irr::IrrState::kLessSpecific) {
    c -= 0.3;
    AddReason(&in,
              fmt::format("IRR: {} route object for AS{}", irr::IrrStateName(irr.state), origin),
              {irr.state == irr::IrrState::kExact ? "detect.hijack.irr_exact"
                                                  : "detect.hijack.irr_less_specific",
               {{"origin", origin_text}}});
  } else {
    c += 0.1;
    AddReason(&in, fmt::format("IRR: {}", irr::IrrStateName(irr.state)),
              {irr.state == irr::IrrState::kOtherOrigin ? "detect.hijack.irr_other_origin"
                                                        : "detect.hijack.irr_not_found",
               {}});
  }
  in.confidence = std::clamp(c, 0.05, 1.0);
  in.victims = VictimsOf(vrps, s.irr, p, holders, origin);
  return in;
}

std::string WithVictims(std::string evidence, const std::vector<Asn>& victims) {
  auto j = nlohmann::ordered_json::parse(evidence, nullptr, false);
  if (!j.is_object()) return evidence;
  j["victims"] = victims;
  return j.dump();
}

void DetectHijacks(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  const auto& prefixes = s.routes.prefixes();
  const auto& bogons = s.registry.bogons();
  // Origins at the window start, per prefix, for the covering look-ups.
  PrefixTrie<Asn> at_start;
  // (Not bogons, and nothing shorter than /8 or /16: a default route or a
  // covering bogon says nothing about who holds the space under it.)
  for (const OriginRoute& o : v.routes()) {
    const Prefix& p = prefixes[o.prefix];
    if (!o.at_start || o.origin == 0 || bogons.Classify(p.address())) continue;
    if (p.length() < (p.address().is_v4() ? 8 : 16)) continue;
    at_start.Insert(p, o.origin);
  }
  for (uint32_t prefix = 0; prefix < prefixes.size(); ++prefix) {
    const Prefix& p = prefixes[prefix];
    if (bogons.Classify(p.address())) continue;  // a bogon, reported as such
    const auto [b, e] = v.OfPrefix(prefix);
    std::set<Asn> own;  // this prefix's origins at the start
    for (size_t i = b; i < e; ++i) {
      if (v.routes()[i].at_start && v.routes()[i].origin != 0) own.insert(v.routes()[i].origin);
    }
    const std::vector<Asn>* known = nullptr;  // origins in earlier snapshots
    if (!s.history.empty()) {
      auto it = s.history.find(p);
      if (it != s.history.end()) known = &it->second;
    }
    auto was_known = [&](Asn a) {
      return known && std::find(known->begin(), known->end(), a) != known->end();
    };
    for (size_t i = b; i < e; ++i) {
      const OriginRoute& o = v.routes()[i];
      if (o.origin == 0 || bogons.ClassifyAsn(o.origin) || was_known(o.origin)) continue;
      // At the window start, an origin conflicts only with the history.
      if (o.at_start && !known) continue;
      // Whom it conflicts with: the prefix's own origins, else those of the
      // most specific covering prefix seen at the start; for an origin
      // present at the start, those of earlier snapshots.
      std::set<Asn> holders = o.at_start ? std::set<Asn>(known->begin(), known->end()) : own;
      Prefix holder_prefix = p;
      if (holders.empty()) {
        at_start.ForEachCovering(p, [&](const Prefix& q, const Asn& a) {
          if (q == p) return;
          if (q != holder_prefix) {
            holders.clear();
            holder_prefix = q;
          }
          holders.insert(a);
        });
      }
      if (holders.empty() || holders.contains(o.origin)) continue;
      // Not a conflict: a sibling, a direct customer or provider, or a ROA
      // that authorises the new origin.
      bool benign = false;
      for (Asn h : holders) benign |= RelatedOrigins(s, o.origin, h);
      if (benign) continue;
      if (rpki::ValidateState(s.vrps, p, o.origin) == rpki::RovState::kValid) continue;
      Incident in = HijackIncident(s, s.vrps, p, o.origin, holder_prefix, holders, o.at_start);
      in.propagator = PropagatorOf(s.routes.paths(), o.paths, o.origin);
      in.start = o.first;
      in.end = o.last;
      in.evidence = WithVictims(Evidence(s, {&o}, in.reasons), in.victims);
      out->push_back(std::move(in));
    }
  }
}

}  // namespace vigia::detect
