#include "sim/real_internet.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigia::sim {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// The RIR an as2org source names: its first comma-separated item, any case.
std::optional<Rir> RirOfSource(std::string_view source) {
  source = source.substr(0, source.find(','));
  while (!source.empty() && source.front() == ' ') source.remove_prefix(1);
  while (!source.empty() && source.back() == ' ') source.remove_suffix(1);
  std::string s(source);
  for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  if (s == "ARIN") return Rir::kArin;
  if (s == "RIPE" || s == "RIPE NCC" || s == "RIPENCC") return Rir::kRipeNcc;
  if (s == "APNIC") return Rir::kApnic;
  if (s == "LACNIC") return Rir::kLacnic;
  if (s == "AFRINIC") return Rir::kAfrinic;
  // National Internet registries that get their resources from APNIC.
  for (std::string_view nir : {"JPNIC", "KRNIC", "TWNIC", "CNNIC", "IDNIC", "VNNIC", "IRINN"}) {
    if (s == nir) return Rir::kApnic;
  }
  return std::nullopt;
}

// ISO 3166 alpha-2 as the delegated files want it: two capital letters.
bool IsCountryCode(std::string_view cc) {
  return cc.size() == 2 && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
}

// Which RIR's IANA block (IanaBlocks) holds a prefix: IPv4 blocks of /8 or
// shorter through a table by first octet, anything else by a scan.
class IanaIndex {
 public:
  IanaIndex() {
    by_octet_.fill({kNoRir, 0});
    for (int r = 0; r < kRirCount; ++r) {
      const Rir rir = static_cast<Rir>(r);
      for (const Prefix& b : IanaBlocks(rir, Family::kIpv4)) {
        if (b.length() > 8) {
          other_.emplace_back(b, rir);
          continue;
        }
        const uint32_t first = b.address().bytes()[0];
        for (uint32_t o = first; o < first + (1u << (8 - b.length())); ++o) {
          by_octet_[o] = {static_cast<uint8_t>(r), b.length()};
        }
      }
      for (const Prefix& b : IanaBlocks(rir, Family::kIpv6)) other_.emplace_back(b, rir);
    }
  }

  std::optional<Rir> Find(const Prefix& p) const {
    if (p.family() == Family::kIpv4) {
      const auto [rir, len] = by_octet_[p.address().bytes()[0]];
      if (rir != kNoRir && p.length() >= len) return static_cast<Rir>(rir);
    }
    for (const auto& [block, rir] : other_) {
      if (block.Contains(p)) return rir;
    }
    return std::nullopt;
  }

 private:
  static constexpr uint8_t kNoRir = 0xFF;
  std::array<std::pair<uint8_t, uint8_t>, 256> by_octet_;  // (rir, block length)
  std::vector<std::pair<Prefix, Rir>> other_;
};

// Tier of the AS at dense index i of the loaded graph.
Tier TierOf(const topology::AsRelationships& g, uint32_t i, bool in_clique) {
  if (in_clique) return Tier::kTier1;
  const size_t customers = g.Customers(i).size();
  return customers >= 100 ? Tier::kTier2 : customers >= 1 ? Tier::kTier3 : Tier::kStub;
}

// Union-find over dense indices, for the ASes joined by mlp peerings.
class Components {
 public:
  explicit Components(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  uint32_t Root(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(uint32_t a, uint32_t b) {
    a = Root(a);
    b = Root(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<uint32_t> parent_;
};

// Most common value, the smallest on a tie.
template <typename T>
T Mode(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  T best = values.front();
  size_t best_run = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    if (j - i > best_run) {
      best_run = j - i;
      best = values[i];
    }
    i = j;
  }
  return best;
}

// net->ases with tiers, in ases() order; *pos gets each dense index's place.
void PlaceAses(const topology::AsRelationships& g, SyntheticInternet* net,
               std::vector<uint32_t>* pos) {
  std::vector<uint8_t> in_clique(g.as_count(), 0);
  for (const topology::RelFile& f : g.files()) {
    for (Asn a : f.clique) {
      if (auto i = g.Index(a)) in_clique[*i] = 1;
    }
  }
  std::vector<std::pair<Tier, Asn>> order;
  order.reserve(g.as_count());
  for (uint32_t i = 0; i < g.as_count(); ++i) {
    order.emplace_back(TierOf(g, i, in_clique[i] != 0), g.AsnAt(i));
  }
  std::sort(order.begin(), order.end());
  pos->assign(g.as_count(), kNone);
  net->ases.reserve(order.size());
  for (const auto& [tier, asn] : order) {
    (*pos)[*g.Index(asn)] = static_cast<uint32_t>(net->ases.size());
    SynthAs as;
    as.asn = asn;
    as.tier = tier;
    as.asn_date = kRealDelegationDate;
    net->ases.push_back(std::move(as));
    if (tier == Tier::kTier1) net->clique.push_back(asn);
  }
}

// The links of g again, p2c first, then p2p, then mlp peerings.
void RebuildGraph(const topology::AsRelationships& g, SyntheticInternet* net) {
  uint16_t mlp = 0;  // 0: no such source
  for (size_t s = 1; s < g.sources().size(); ++s) {
    if (g.sources()[s] == "mlp") mlp = static_cast<uint16_t>(s);
  }
  auto is_mlp = [&](const topology::Link& l) {
    return mlp != 0 && l.source == mlp && l.type == topology::LinkType::kP2p;
  };
  for (int pass = 0; pass < 3; ++pass) {
    if (pass == 2) net->first_ixp_link = net->graph.link_count();
    for (const topology::Link& l : g.links()) {
      const int group = l.type == topology::LinkType::kP2c ? 0 : is_mlp(l) ? 2 : 1;
      if (group == pass) net->graph.AddLink(g.AsnAt(l.a), g.AsnAt(l.b), l.type);
    }
  }
  net->graph.Build();

  // IXPs: the ASes each connected set of mlp peerings joins.
  Components comp(g.as_count());
  bool any = false;
  for (const topology::Link& l : g.links()) {
    if (!is_mlp(l)) continue;
    comp.Join(l.a, l.b);
    any = true;
  }
  if (!any) return;
  std::map<uint32_t, std::vector<Asn>> members;  // root -> ASNs
  for (const topology::Link& l : g.links()) {
    if (!is_mlp(l)) continue;
    members[comp.Root(l.a)].push_back(g.AsnAt(l.a));
    members[comp.Root(l.a)].push_back(g.AsnAt(l.b));
  }
  std::vector<std::vector<Asn>> sets;
  for (auto& [root, list] : members) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    sets.push_back(std::move(list));
  }
  std::sort(sets.begin(), sets.end());  // by smallest member first
  for (std::vector<Asn>& set : sets) {
    SynthIxp ixp;
    ixp.id = static_cast<uint32_t>(net->ixps.size() + 1);
    ixp.members = std::move(set);
    net->ixps.push_back(std::move(ixp));
  }
}

// Each IXP in its members' most common RIR and country.
void PlaceIxps(const topology::AsRelationships& g, const std::vector<uint32_t>& pos,
               SyntheticInternet* net) {
  for (SynthIxp& ixp : net->ixps) {
    std::vector<Rir> rirs;
    std::vector<std::string> countries;
    for (Asn a : ixp.members) {
      const SynthAs& as = net->ases[pos[*g.Index(a)]];
      rirs.push_back(as.rir);
      countries.push_back(as.country);
    }
    ixp.rir = Mode(std::move(rirs));
    ixp.country = Mode(std::move(countries));
    ixp.name = fmt::format("IX-{}-{}", ixp.country, ixp.id);
  }
}

}  // namespace

Result<SyntheticInternet> BuildRealInternet(const RealInputs& in) {
  topology::AsRelationships loaded;
  if (Status s = loaded.LoadFile(in.asrel_path); !s.ok()) return s;
  if (loaded.link_count() == 0) {
    return Status::InvalidArgument(
        fmt::format("{}: no AS relationship in the file ({} lines skipped)", in.asrel_path,
                    loaded.problems().count()));
  }
  topology::As2Org as2org;
  if (!in.as2org_path.empty()) {
    if (Status s = as2org.LoadFile(in.as2org_path); !s.ok()) return s;
  }
  PrefixOriginTable table;
  if (!in.pfx2as_path.empty()) {
    if (Status s = table.LoadFile(in.pfx2as_path); !s.ok()) return s;
  }

  SyntheticInternet net;
  net.config.seed = in.seed;
  net.config.date = in.date;
  std::vector<uint32_t> pos;  // dense index of `loaded` -> place in net.ases
  PlaceAses(loaded, &net, &pos);
  RebuildGraph(loaded, &net);
  const auto n = static_cast<uint32_t>(net.ases.size());

  // Routes of the graph's ASes, each (prefix, origin) once, by prefix.
  std::vector<PrefixOrigin> routes;
  routes.reserve(table.routes().size());
  for (const PrefixOrigin& r : table.routes()) {
    if (loaded.Index(r.origin)) routes.push_back(r);
  }
  auto by_prefix = [](const PrefixOrigin& a, const PrefixOrigin& b) {
    return std::tie(a.prefix, a.origin) < std::tie(b.prefix, b.origin);
  };
  std::sort(routes.begin(), routes.end(), by_prefix);
  routes.erase(std::unique(routes.begin(), routes.end()), routes.end());
  auto place_of = [&](Asn asn) { return pos[*loaded.Index(asn)]; };

  // RIRs: as2org, else where the first prefix lies, else the RIPE NCC.
  const IanaIndex iana;
  std::vector<std::optional<Rir>> rir(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (const topology::AsOrg* a = as2org.Find(net.ases[i].asn)) {
      rir[i] = RirOfSource(a->source);
      if (!rir[i]) rir[i] = RirOfSource(as2org.orgs()[a->org].source);
    }
  }
  for (const PrefixOrigin& r : routes) {
    std::optional<Rir>& x = rir[place_of(r.origin)];
    if (!x) x = iana.Find(r.prefix);
  }
  for (uint32_t i = 0; i < n; ++i) net.ases[i].rir = rir[i].value_or(Rir::kRipeNcc);

  // Organisations, in the order their first AS comes in ases().
  {
    net.orgs.reserve(n);
    std::unordered_map<uint32_t, uint32_t> made;  // as2org org index -> net.orgs
    for (uint32_t i = 0; i < n; ++i) {
      SynthAs& as = net.ases[i];
      const topology::AsOrg* a = as2org.Find(as.asn);
      uint32_t o;
      if (a != nullptr) {
        auto [it, fresh] = made.try_emplace(a->org, static_cast<uint32_t>(net.orgs.size()));
        o = it->second;
        if (fresh) {
          const topology::Org& src = as2org.orgs()[a->org];
          SynthOrg org;
          org.id = src.id;
          org.name = src.name.empty() ? src.id : src.name;
          org.country = IsCountryCode(src.country) ? src.country : "ZZ";
          org.rir = RirOfSource(src.source).value_or(as.rir);
          net.orgs.push_back(std::move(org));
        }
      } else {
        o = static_cast<uint32_t>(net.orgs.size());
        SynthOrg org;
        org.id = fmt::format("REAL-{}", as.asn);
        org.name = fmt::format("AS{}", as.asn);
        org.country = "ZZ";
        org.rir = as.rir;
        net.orgs.push_back(std::move(org));
      }
      as.org = o;
      as.country = net.orgs[o].country;
      net.orgs[o].ases.push_back(as.asn);
    }
  }

  PlaceIxps(loaded, pos, &net);
  net.config.ases = n;
  net.config.tier1 = static_cast<uint32_t>(net.clique.size());
  net.config.ixps = static_cast<uint32_t>(net.ixps.size());

  if (in.pfx2as_path.empty()) {
    net.config.prefixes = in.prefixes;
    if (Status s = AddSyntheticAddressSpace(&net, in.seed); !s.ok()) return s;
    return net;
  }

  // Allocations: per origin, walking its prefixes by address, a prefix the
  // last allocation does not cover starts a new one (an origin's
  // allocations are disjoint and come in address order, so only the last
  // one can cover the next prefix). root[k] is the route whose prefix is
  // route k's allocation.
  std::vector<uint32_t> by_origin(routes.size());
  std::iota(by_origin.begin(), by_origin.end(), 0);
  std::stable_sort(by_origin.begin(), by_origin.end(),
                   [&](uint32_t a, uint32_t b) { return routes[a].origin < routes[b].origin; });
  std::vector<uint32_t> root(routes.size());
  uint32_t last = kNone;
  for (uint32_t k : by_origin) {
    const PrefixOrigin& r = routes[k];
    if (last == kNone || r.origin != routes[last].origin ||
        !routes[last].prefix.Contains(r.prefix)) {
      last = k;
    }
    root[k] = last;
  }
  // Numbered in route order, so sorted by prefix, then holder.
  std::vector<uint32_t> number(routes.size(), kNone);
  for (uint32_t k = 0; k < routes.size(); ++k) {
    if (root[k] != k) continue;
    number[k] = static_cast<uint32_t>(net.allocations.size());
    Allocation a;
    a.prefix = routes[k].prefix;
    a.holder = routes[k].origin;
    a.rir = iana.Find(a.prefix).value_or(net.ases[place_of(a.holder)].rir);
    a.date = kRealDelegationDate;
    net.allocations.push_back(a);
  }
  net.announcements.reserve(routes.size());
  for (uint32_t k = 0; k < routes.size(); ++k) {
    net.announcements.push_back({routes[k].prefix, routes[k].origin, number[root[k]]});
  }
  net.config.prefixes = static_cast<uint32_t>(net.announcements.size());
  return net;
}

}  // namespace vigia::sim
