// Resolving the route-server policy: see policy.h.
#include "ixp/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/printable.h"
#include "irr/as_set_expander.h"
#include "irr/irr_index.h"
#include "ixp/reason.h"
#include "registry/bogons.h"
#include "registry/delegated.h"
#include "registry/iana.h"
#include "registry/special_purpose.h"

namespace vigia::ixp {

std::vector<Asn> DefaultTransitFreeAsns() {
  return {174, 701, 1299, 2914, 3257, 3320, 3356, 5511, 6453, 6461, 6762, 6830, 7018, 12956};
}

std::string_view MaxPrefixActionName(MaxPrefixAction a) {
  switch (a) {
    case MaxPrefixAction::kRestart:
      return "restart";
    case MaxPrefixAction::kBlock:
      return "block";
    case MaxPrefixAction::kDisable:
      return "disable";
    case MaxPrefixAction::kWarn:
      return "warn";
  }
  return "restart";
}

std::optional<MaxPrefixAction> MaxPrefixActionFromName(std::string_view name) {
  for (MaxPrefixAction a : {MaxPrefixAction::kRestart, MaxPrefixAction::kBlock,
                            MaxPrefixAction::kDisable, MaxPrefixAction::kWarn})
    if (MaxPrefixActionName(a) == name) return a;
  return std::nullopt;
}

std::string_view BogonSourceName(BogonSource s) {
  switch (s) {
    case BogonSource::kBuiltIn:
      return "built-in";
    case BogonSource::kFile:
      return "file";
    case BogonSource::kRegistry:
      return "registry";
  }
  return "built-in";
}

std::optional<RtrServer> ParseRtrServer(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  uint64_t p = 0;
  if (host.empty() || host.size() > 253 || !ParseDecimal(port, 65535, &p) || p == 0)
    return std::nullopt;
  // The host goes into a daemon's config between quotes: only the
  // characters of host names and addresses.
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':')
      return std::nullopt;
  return RtrServer{std::string(host), static_cast<uint16_t>(p)};
}

std::string SafeConfigText(std::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_bytes) break;
    const unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u > 0x7e || c == '"' || c == '\\' || c == '#' || c == '\'' || c == '{' ||
            c == '}' || c == ';')
               ? '_'
               : c;
  }
  return out;
}

void WriteConfigHeaderInputs(const Policy& p, std::string_view daemon, std::string* out) {
  const PolicyOptions& o = p.options;
  *out += fmt::format("# {} route-server configuration written by `vigia ixp config`.\n", daemon);
  *out += "# Do not edit: regenerate it. Same inputs, same bytes (no timestamps).\n#\n";
  *out += fmt::format("# Members: {} ({}{}{}), {} members with sessions\n",
                      SafeConfigText(p.members_source, 128), p.members_format,
                      p.members_date.empty() ? "" : ", ", SafeConfigText(p.members_date, 16),
                      p.members.size());
  if (!p.ixp_name.empty()) *out += fmt::format("# Exchange: {}\n", SafeConfigText(p.ixp_name, 128));
  *out += fmt::format("# Prefix length: IPv4 /{}../{}, IPv6 /{}../{}; AS_PATH at most {} ASNs\n",
                      o.min_length4, o.max_length4, o.min_length6, o.max_length6, o.max_as_path);
  *out += fmt::format("# Bogons: {} ({} IPv4, {} IPv6 prefixes, {} ASN ranges)\n",
                      BogonSourceName(p.bogon_source), p.bogons4.size(), p.bogons6.size(),
                      p.bogon_asns.size());
  *out += fmt::format("# IRR: {}; RPKI: {}\n", p.irr ? "checked" : "not checked (tag 1001:2)",
                      o.rtr ? fmt::format("RTR {}:{}", SafeConfigText(o.rtr->host), o.rtr->port)
                            : std::string("not checked (tag 1000:3)"));
}

void WriteConfigReasonList(std::string* out) {
  for (const ReasonInfo& r : RejectReasons())
    *out += fmt::format("#   {:>3} {:<22} {}\n", static_cast<uint32_t>(r.code), r.key, r.text);
}

namespace {

void AddRanges(const registry::RangeSet& set, std::vector<Prefix>* out) {
  for (const Prefix& p : set.ToPrefixes()) out->push_back(p);
}

Status ResolveBogons(const BogonInput& in, Policy* policy) {
  // The built-in special-purpose part, exactly as `vigia bogons
  // --special-only` computes it (registry/bogons.h): not globally
  // reachable blocks, with the globally reachable ones carved out.
  const registry::BogonList special = registry::BogonList::Compute(
      registry::DelegatedStats{}, registry::IanaRegistry{}, {.special_only = true});
  registry::RangeSet v4 = special.All(Family::kIpv4), v6 = special.All(Family::kIpv6);
  const registry::BogonList* asn_source = &special;
  policy->bogon_source = BogonSource::kBuiltIn;
  if (in.registry != nullptr) {
    v4.Add(in.registry->All(Family::kIpv4));
    v6.Add(in.registry->All(Family::kIpv6));
    asn_source = in.registry;
    policy->bogon_source = BogonSource::kRegistry;
  }
  for (const std::string& f : in.files) {
    registry::PrefixListFile list;
    Status s = registry::LoadPrefixList(f, &list);
    if (!s.ok()) return s;
    if (list.prefixes == 0) return Status::Corrupt(f + ": no prefix in this bogon list");
    v4.Add(list.v4);
    v6.Add(list.v6);
    policy->bogon_source = BogonSource::kFile;
  }
  AddRanges(v4, &policy->bogons4);
  AddRanges(v6, &policy->bogons6);
  for (const registry::AsnBogon& b : asn_source->asns()) {
    if (!policy->bogon_asns.empty() && policy->bogon_asns.back().last + 1 >= b.first &&
        policy->bogon_asns.back().last != 0xFFFFFFFFu) {
      policy->bogon_asns.back().last = std::max(policy->bogon_asns.back().last, b.last);
    } else {
      policy->bogon_asns.push_back({b.first, b.last});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Policy> BuildPolicy(const MemberList& members, const PolicyOptions& options,
                           const irr::IrrDatabase* irr, const BogonInput& bogons,
                           ProblemLog* problems) {
  if (options.rs_asn == 0 || options.rs_asn == kAsTrans)
    return Status::InvalidArgument(
        "the route server's ASN (--rs-asn) is required and not 0 or 23456");
  if (options.min_length4 > options.max_length4 || options.max_length4 > 32)
    return Status::InvalidArgument("IPv4 prefix lengths: need min <= max <= 32");
  if (options.min_length6 > options.max_length6 || options.max_length6 > 128)
    return Status::InvalidArgument("IPv6 prefix lengths: need min <= max <= 128");
  if (options.max_as_path == 0 || options.max_as_path > 255)
    return Status::InvalidArgument("AS_PATH length limit: need 1..255");
  if (options.rs_address4 && !options.rs_address4->is_v4())
    return Status::InvalidArgument("--rs-address must be an IPv4 address");
  if (options.rs_address6 && !options.rs_address6->is_v6())
    return Status::InvalidArgument("--rs-address6 must be an IPv6 address");
  const std::optional<IpAddress> router_id =
      options.router_id ? options.router_id : options.rs_address4;
  if (!router_id || !router_id->is_v4())
    return Status::InvalidArgument(
        "a BGP router id is needed: give --rs-address (IPv4) or --router-id");

  Policy policy;
  policy.options = options;
  policy.options.router_id = router_id;
  std::sort(policy.options.transit_free.begin(), policy.options.transit_free.end());
  policy.options.transit_free.erase(
      std::unique(policy.options.transit_free.begin(), policy.options.transit_free.end()),
      policy.options.transit_free.end());
  policy.members_source = std::filesystem::path(members.source).filename().string();
  policy.members_format = std::string(MemberFormatName(members.format));
  policy.members_date = members.date;
  policy.ixp_name = members.ixp_name;
  policy.irr = irr != nullptr;
  if (Status s = ResolveBogons(bogons, &policy); !s.ok()) return s;

  std::vector<irr::SourceId> order;
  if (irr != nullptr) {
    for (const std::string& name : options.irr_sources) {
      const std::optional<irr::SourceId> id = irr->FindSource(name);
      if (!id)
        return Status::InvalidArgument(
            fmt::format("IRR source \"{}\" is not loaded", Printable(name)));
      order.push_back(*id);
    }
  }

  for (const Member& m : members.members) {
    if (m.asn == options.rs_asn) {
      if (problems)
        problems->Add(members.source,
                      fmt::format("AS{} is the route server's own ASN; no session", m.asn));
      continue;
    }
    MemberPolicy mp;
    mp.member = &m;
    for (const IpAddress& a : m.addresses) (a.is_v4() ? mp.next_hops4 : mp.next_hops6).push_back(a);
    if (mp.next_hops4.empty() && mp.next_hops6.empty()) continue;
    mp.max_prefix4 = m.max_prefix4.value_or(options.default_max_prefix4);
    mp.max_prefix6 = m.max_prefix6.value_or(options.default_max_prefix6);
    if (irr != nullptr) {
      mp.irr_checked = true;
      // arouteserver's rule: with no as-set, the member's own ASN is
      // expanded (its route objects, and itself as the only origin).
      mp.expanded =
          m.as_sets.empty() ? std::vector<std::string>{fmt::format("AS{}", m.asn)} : m.as_sets;
      irr::ExpandOptions eo;
      eo.sources = order;
      bool any_found = false;
      for (const std::string& name : mp.expanded) {
        const irr::ExpandResult r = irr::ExpandAsSet(*irr, name, eo);
        if (!r.found && !r.root_is_asn) {
          mp.unresolved.push_back(name);
          continue;
        }
        any_found = true;
        mp.origins.insert(mp.origins.end(), r.asns.begin(), r.asns.end());
        mp.prefixes4.insert(mp.prefixes4.end(), r.ipv4.begin(), r.ipv4.end());
        mp.prefixes6.insert(mp.prefixes6.end(), r.ipv6.begin(), r.ipv6.end());
      }
      if (!any_found && problems)
        problems->Add(members.source,
                      fmt::format("AS{}: no IRR source has {}; every route of it will be rejected "
                                  "(reason irr_origin)",
                                  m.asn, fmt::join(mp.unresolved, ", ")));
      for (auto* v : {&mp.prefixes4, &mp.prefixes6}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }
      std::sort(mp.origins.begin(), mp.origins.end());
      mp.origins.erase(std::unique(mp.origins.begin(), mp.origins.end()), mp.origins.end());
    }
    policy.members.push_back(std::move(mp));
  }
  return policy;
}

}  // namespace vigia::ixp
