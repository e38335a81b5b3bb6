// Who is scored, and who they are (score/scoring.h).
#include <algorithm>
#include <bit>
#include <unordered_set>

#include "registry/rir_region.h"
#include "score/scoring.h"

namespace vigia::score::internal {

void ChooseAses(Context& c) {
  const auto& bogons = c.s.registry.bogons();
  const auto& paths = c.s.routes.paths();
  // Who is scored: every public AS on a path, every participant, every
  // IXP member.
  // Distinct ASNs of millions of paths: a bitmap for the ASNs below 2^22
  // (every 16-bit one and the 32-bit ones handed out so far), a hash set
  // for the rest.
  std::vector<Asn> all;
  if (c.opts.observed_asns) {
    all = *c.opts.observed_asns;
  } else {
    constexpr Asn kDense = Asn{1} << 22;
    std::vector<uint64_t> bits(kDense / 64);
    std::unordered_set<Asn> high;
    for (uint32_t id = 0; id < paths.size(); ++id) {
      for (Asn a : paths.Get(id)) {
        if (a < kDense) {
          bits[a / 64] |= uint64_t{1} << (a % 64);
        } else {
          high.insert(a);
        }
      }
    }
    for (size_t w = 0; w < bits.size(); ++w) {
      for (uint64_t x = bits[w]; x; x &= x - 1)
        all.push_back(static_cast<Asn>(w * 64 + std::countr_zero(x)));
    }
    const size_t dense = all.size();
    all.insert(all.end(), high.begin(), high.end());
    std::sort(all.begin() + static_cast<std::ptrdiff_t>(dense), all.end());
  }
  c.observed = all;
  for (Asn a : c.extras.manrs.asns) all.push_back(a);
  if (c.extras.have_peeringdb) {
    for (const auto& port : c.extras.peeringdb.netixlans()) all.push_back(port.asn);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::erase_if(all, [&](Asn a) { return a == 0 || bogons.ClassifyAsn(a) != nullptr; });
  c.board.ases.resize(all.size());
  c.index.reserve(all.size() * 2);
  for (size_t i = 0; i < all.size(); ++i) {
    c.board.ases[i].asn = all[i];
    c.index[all[i]] = static_cast<uint32_t>(i);
  }
}

void Identify(Context& c) {
  const detect::Snapshot& s = c.s;
  // The delegated ASN records (allocated or assigned), by their first ASN,
  // for a binary search per AS (Registry::ForAsn scans).
  std::vector<const registry::DelegatedRecord*> asn_records;
  if (s.have_registry) {
    for (const registry::DelegatedRecord& r : s.registry.stats().records()) {
      if (r.type == registry::ResourceType::kAsn &&
          (r.status == registry::DelegationStatus::kAllocated ||
           r.status == registry::DelegationStatus::kAssigned)) {
        asn_records.push_back(&r);
      }
    }
    std::stable_sort(asn_records.begin(), asn_records.end(),
                     [](const auto* x, const auto* y) { return x->first < y->first; });
  }
  for (AsScore& a : c.board.ases) {
    auto it = std::upper_bound(asn_records.begin(), asn_records.end(), a.asn,
                               [](Asn x, const registry::DelegatedRecord* r) {
                                 return static_cast<registry::Uint128>(x) < r->first;
                               });
    // The nearest records starting at or below the ASN; ranges rarely nest.
    for (int back = 0; back < 8 && it != asn_records.begin(); ++back) {
      const registry::DelegatedRecord* r = *--it;
      if (r->last >= a.asn) {
        a.country = r->cc;
        a.region = RegionOf(r->registry);
        break;
      }
    }
    if (const topology::Org* o = s.orgs.OrgOf(a.asn)) {
      if (a.country.empty()) a.country = o->country;
      if (a.region.empty()) a.region = RegionOf(o->source);
      a.name = o->name;
    }
    // The region is the service region of the AS's country (decision 5 of
    // docs/methodology.md): a Cuban network registered at RIPE NCC counts
    // in LACNIC, where Cuba is. Without a country in the table, its
    // registry's region.
    if (auto r = registry::RirServiceRegionOf(a.country)) a.region = std::string(*r);
    if (const topology::AsOrg* ao = s.orgs.Find(a.asn); ao && a.name.empty()) a.name = ao->name;
    if (c.extras.have_peeringdb) {
      if (const peeringdb::Net* n = c.extras.peeringdb.NetByAsn(a.asn); n && a.name.empty())
        a.name = n->name;
    }
    a.manrs = c.extras.manrs.asns.count(a.asn) > 0;
  }
}

}  // namespace vigia::score::internal
