#include "score/manrs.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <unordered_set>
#include <cmath>
#include <set>
#include <thread>
#include <unordered_map>

#include "detect/incident_type.h"
#include "irr/route_check.h"
#include "rpki/origin_validation.h"

namespace vigia::score {

namespace {

constexpr const char* kMetricNames[kMetricCount] = {"M1", "M1C", "M2",  "M2C",   "M3",    "M3C",
                                                     "M4", "M4C", "M5", "M6", "M7IRR", "M7RPKI"};
constexpr const char* kActionNames[kActionCount] = {"action1", "action2", "action3", "action4", "overall"};

// The incident type's own metric (M1, M2, M3, M4: detect/incident_type.h),
// or -1 (rpki_invalid counts through M7RPKI, not as an incident). Its
// customer metric is the next one.
int BaseMetric(std::string_view type) {
  const detect::IncidentType* t = detect::FindIncidentType(type);
  for (int m = kM1; t != nullptr && !t->metric.empty() && m <= kM4; m += 2) {
    if (t->metric == kMetricNames[m]) return m;
  }
  return -1;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

std::optional<double> Mean(std::initializer_list<std::optional<double>> xs) {
  double sum = 0;
  int n = 0;
  for (const auto& x : xs) {
    if (x) {
      sum += *x;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

// Actions and overall from the metrics (raw penalties for Action 1).
void ComputeActions(AsScore* a, bool observed, const Bands& bands) {
  if (observed) {
    double penalty = 0;
    for (int m = kM1; m <= kM4C; ++m) penalty += a->raw[m];
    a->action[kAction1] = PenaltyToPercent(penalty);
  } else {
    a->action[kAction1] = std::nullopt;
  }
  a->action[kAction2] = a->value[kM5];
  a->action[kAction3] = a->value[kM6];
  a->action[kAction4] = Mean({a->value[kM7Irr], a->value[kM7Rpki]});
  a->action[kOverall] =
      Mean({a->action[kAction1], a->action[kAction2], a->action[kAction3], a->action[kAction4]});
  for (size_t i = 0; i < kActionCount; ++i) a->band[i] = BandOf(a->action[i], bands);
}

double Round2(double x) { return std::round(x * 100) / 100; }

}  // namespace

const char* MetricName(Metric m) { return kMetricNames[m]; }
const char* ActionName(Action a) { return kActionNames[a]; }

double IncidentWeight(uint32_t seconds) {
  if (seconds < 30 * 60) return 0.5;
  return 1 + seconds / 86400;  // [30 min, 24 h) 1; [24 h, 48 h) 2; ...
}

double MergedPenalty(std::vector<Interval> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  double total = 0;
  Interval cur = v[0];
  for (size_t i = 1; i <= v.size(); ++i) {
    if (i < v.size() && v[i].start <= cur.end) {
      cur.end = std::max(cur.end, v[i].end);
      cur.confidence = std::max(cur.confidence, v[i].confidence);
      continue;
    }
    total += IncidentWeight(cur.end - cur.start) * cur.confidence;
    if (i < v.size()) cur = v[i];
  }
  return total;
}

double PenaltyToPercent(double raw) {
  if (raw <= 0) return 100;
  return 100 * std::pow(0.6, std::sqrt(2 * raw));
}

bool ParseBands(std::string_view text, Bands* out) {
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  try {
    size_t n1 = 0, n2 = 0;
    const std::string a(text.substr(0, comma)), b(text.substr(comma + 1));
    const double ready = std::stod(a, &n1), aspiring = std::stod(b, &n2);
    if (n1 != a.size() || n2 != b.size()) return false;
    if (!(ready <= 100 && aspiring >= 0 && aspiring <= ready)) return false;
    *out = {ready, aspiring};
    return true;
  } catch (...) {
    return false;
  }
}

std::string BandOf(std::optional<double> score, const Bands& b) {
  if (!score) return "";
  if (*score >= b.ready) return "ready";
  if (*score >= b.aspiring) return "aspiring";
  return "lagging";
}

std::string RegionOf(std::string_view name) {
  std::string s = Upper(name.substr(0, name.find(',')));
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s == "ARIN") return "arin";
  if (s == "RIPE" || s == "RIPE NCC" || s == "RIPENCC") return "ripencc";
  if (s == "APNIC") return "apnic";
  if (s == "LACNIC" || s == "NIC.BR" || s == "NIC.MX") return "lacnic";
  if (s == "AFRINIC") return "afrinic";
  for (std::string_view nir : {"JPNIC", "KRNIC", "TWNIC", "CNNIC", "IDNIC", "VNNIC", "IRINN"}) {
    if (s == nir) return "apnic";
  }
  return "";
}

const AsScore* Scoreboard::Find(Asn asn) const {
  auto it = std::lower_bound(ases.begin(), ases.end(), asn,
                             [](const AsScore& a, Asn x) { return a.asn < x; });
  return it != ases.end() && it->asn == asn ? &*it : nullptr;
}

Scoreboard Score(const detect::Snapshot& s, const detect::RouteView& v,
                 const std::vector<detect::Incident>& incidents, const Extras& extras,
                 const ScoreOptions& opts) {
  Scoreboard board;
  const auto& bogons = s.registry.bogons();
  const auto& paths = s.routes.paths();

  // Who is scored: every public AS on a path, every participant, every
  // IXP member.
  // Distinct ASNs of millions of paths: a bitmap for the ASNs below 2^22
  // (every 16-bit one and the 32-bit ones handed out so far), a hash set
  // for the rest.
  std::vector<Asn> all;
  {
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
      for (uint64_t x = bits[w]; x; x &= x - 1) all.push_back(static_cast<Asn>(w * 64 + std::countr_zero(x)));
    }
    const size_t dense = all.size();
    all.insert(all.end(), high.begin(), high.end());
    std::sort(all.begin() + static_cast<std::ptrdiff_t>(dense), all.end());
  }
  std::vector<Asn> observed_list = all;
  for (Asn a : extras.manrs.asns) all.push_back(a);
  if (extras.have_peeringdb) {
    for (const auto& port : extras.peeringdb.netixlans()) all.push_back(port.asn);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::erase_if(all, [&](Asn a) { return a == 0 || bogons.ClassifyAsn(a) != nullptr; });
  board.ases.resize(all.size());
  std::unordered_map<Asn, uint32_t> index;
  index.reserve(all.size() * 2);
  for (size_t i = 0; i < all.size(); ++i) {
    board.ases[i].asn = all[i];
    index[all[i]] = static_cast<uint32_t>(i);
  }
  auto find = [&](Asn a) -> AsScore* {
    auto it = index.find(a);
    return it == index.end() ? nullptr : &board.ases[it->second];
  };
  auto observed = [&](Asn a) { return std::binary_search(observed_list.begin(), observed_list.end(), a); };

  // Who they are: the delegated ASN records (allocated or assigned), by
  // their first ASN, for a binary search per AS (Registry::ForAsn scans).
  std::vector<const registry::DelegatedRecord*> asn_records;
  if (s.have_registry) {
    for (const registry::DelegatedRecord& r : s.registry.stats().records()) {
      if (r.type == registry::ResourceType::kAsn && (r.status == registry::DelegationStatus::kAllocated ||
                                                     r.status == registry::DelegationStatus::kAssigned)) {
        asn_records.push_back(&r);
      }
    }
    std::stable_sort(asn_records.begin(), asn_records.end(),
                     [](const auto* x, const auto* y) { return x->first < y->first; });
  }
  for (AsScore& a : board.ases) {
    auto it = std::upper_bound(asn_records.begin(), asn_records.end(), a.asn,
                               [](Asn x, const registry::DelegatedRecord* r) { return static_cast<registry::Uint128>(x) < r->first; });
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
    if (const topology::AsOrg* ao = s.orgs.Find(a.asn); ao && a.name.empty()) a.name = ao->name;
    if (extras.have_peeringdb) {
      if (const peeringdb::Net* n = extras.peeringdb.NetByAsn(a.asn); n && a.name.empty()) a.name = n->name;
    }
    a.manrs = extras.manrs.asns.count(a.asn) > 0;
  }

  // Action 4: every (prefix, origin) the collectors saw, with its RFC 6811
  // state and its IRR state, over threads.
  const auto& routes = v.routes();
  const bool have_vrps = s.vrps.size() > 0;
  const bool have_irr = s.irr.route_count() > 0;
  std::vector<uint8_t> rov(routes.size()), irr_ok(routes.size());
  {
    unsigned n = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
    n = std::min<unsigned>(n, 16);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < n; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < routes.size(); i += n) {
          const auto& r = routes[i];
          if (r.origin == 0) continue;
          const Prefix& p = s.routes.prefixes()[r.prefix];
          if (have_vrps) rov[i] = static_cast<uint8_t>(rpki::ValidateState(s.vrps, p, r.origin));
          if (have_irr) {
            const auto st = irr::CheckRoute(s.irr, p, r.origin).state;
            irr_ok[i] = st == irr::IrrState::kExact || st == irr::IrrState::kLessSpecific;
          }
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  struct Lists {
    std::vector<uint32_t> not_found, invalid, unregistered;  // route indexes, capped
    // Routes an incident of the AS's own questions (its hijacks, its bogon
    // prefixes): to withdraw, never to register. Tallied apart.
    uint32_t q_routes = 0, q_valid = 0, q_invalid = 0, q_irr = 0;
  };
  std::set<std::pair<Prefix, Asn>> questioned;
  for (const detect::Incident& in : incidents) {
    if (const auto* t = detect::FindIncidentType(in.type); t == nullptr || !t->withdraw_fix)
      continue;
    for (const Prefix& p : in.prefixes) questioned.insert({p, in.culprit});
  }
  std::vector<Lists> lists(board.ases.size());
  auto capped = [](std::vector<uint32_t>* list, uint32_t i) {
    if (list->size() < kMaxFixItems) list->push_back(i);
  };
  for (size_t i = 0; i < routes.size(); ++i) {
    const auto& r = routes[i];
    if (r.origin == 0) continue;
    AsScore* a = find(r.origin);
    if (!a) continue;
    Lists& l = lists[a - board.ases.data()];
    const bool q = !questioned.empty() && questioned.contains({s.routes.prefixes()[r.prefix], r.origin});
    ++a->routes;
    l.q_routes += q;
    switch (static_cast<rpki::RovState>(rov[i])) {
      case rpki::RovState::kValid:
        ++a->rpki_valid;
        l.q_valid += q;
        break;
      case rpki::RovState::kNotFound:
        ++a->rpki_not_found;
        if (!q) capped(&l.not_found, static_cast<uint32_t>(i));
        break;
      default:
        ++a->rpki_invalid;
        l.q_invalid += q;
        if (!q) capped(&l.invalid, static_cast<uint32_t>(i));
        break;
    }
    if (irr_ok[i]) {
      ++a->irr_registered;
      l.q_irr += q;
    } else if (!q) {
      capped(&l.unregistered, static_cast<uint32_t>(i));
    }
  }

  // Action 1: incidents, merged per AS and metric.
  const bool have_rel = s.relations.as_count() > 0;
  std::vector<std::array<std::vector<Interval>, 8>> spans(board.ases.size());
  std::vector<std::array<std::vector<uint32_t>, 8>> by_metric(board.ases.size());
  for (size_t i = 0; i < incidents.size(); ++i) {
    const detect::Incident& in = incidents[i];
    const int base = BaseMetric(in.type);
    const Interval iv{in.start, std::max(in.start, in.end), in.confidence};
    if (AsScore* c = find(in.culprit)) {
      c->incidents.push_back(static_cast<uint32_t>(i));
      if (base >= 0) {
        spans[c - board.ases.data()][base].push_back(iv);
        by_metric[c - board.ases.data()][base].push_back(static_cast<uint32_t>(i));
      }
    }
    // The C metrics: the AS passed on what its direct customer did
    // (with no relationship data, any propagator counts).
    if (base >= 0 && in.propagator) {
      if (AsScore* p = find(*in.propagator)) {
        const bool customer = !have_rel || s.relations.RelationOf(*in.propagator, in.culprit) ==
                                               topology::Relation::kProvider;
        if (customer) {
          p->incidents.push_back(static_cast<uint32_t>(i));
          spans[p - board.ases.data()][base + 1].push_back(iv);
          by_metric[p - board.ases.data()][base + 1].push_back(static_cast<uint32_t>(i));
        }
      }
    }
  }

  if (!have_rel) board.notes.push_back("M1 and M1C: no AS relationships, so no route-leak detection");
  if (!have_vrps) board.notes.push_back("M7RPKI: no VRPs");
  if (!have_irr) board.notes.push_back("M7IRR: no IRR route objects");
  if (!extras.have_spoofer) board.notes.push_back("M5: no CAIDA Spoofer data");
  if (!extras.have_peeringdb) board.notes.push_back("M6: no PeeringDB data");

  for (size_t k = 0; k < board.ases.size(); ++k) {
    AsScore& a = board.ases[k];
    const bool seen = observed(a.asn);
    for (int m = kM1; m <= kM4C; ++m) {
      a.raw[m] = MergedPenalty(spans[k][m]);
      if (seen && (have_rel || m > kM1C)) a.value[m] = PenaltyToPercent(a.raw[m]);
    }
    if (extras.have_spoofer) {
      auto it = extras.spoofer.by_asn.find(a.asn);
      if (it != extras.spoofer.by_asn.end() && it->second.blocked + it->second.received > 0) {
        a.raw[kM5] = it->second.sessions;
        a.value[kM5] = 100.0 * it->second.blocked / (it->second.blocked + it->second.received);
      }
    }
    if (extras.have_peeringdb) {
      size_t contacts = 0;
      for (const peeringdb::Poc* c : extras.peeringdb.ContactsOf(a.asn)) {
        if ((c->has_email || c->has_phone) && c->visible != "Private") ++contacts;
      }
      a.raw[kM6] = static_cast<double>(contacts);
      a.value[kM6] = contacts > 0 ? 100 : 0;
    }
    if (a.routes > 0) {
      if (have_irr) {
        a.raw[kM7Irr] = a.irr_registered;
        a.value[kM7Irr] = 100.0 * a.irr_registered / a.routes;
      }
      if (have_vrps) {
        a.raw[kM7Rpki] = a.rpki_valid;
        a.value[kM7Rpki] =
            std::max(0.0, 100.0 * (static_cast<double>(a.rpki_valid) - 10.0 * a.rpki_invalid) / a.routes);
      }
    }
    ComputeActions(&a, seen, opts.bands);

    // The fix list: each fix with the scores reached once it and every fix
    // above it are made.
    AsScore after = a;
    auto add_fix = [&](Metric m, std::string what, std::vector<std::string> items, size_t count) {
      ComputeActions(&after, seen, opts.bands);
      Fix f;
      f.metric = MetricName(m);
      f.what = std::move(what);
      f.items = std::move(items);
      f.count = count;
      f.metric_after = after.value[m];
      const Action act = m <= kM4C ? kAction1 : m == kM5 ? kAction2 : m == kM6 ? kAction3 : kAction4;
      f.action_after = after.action[act];
      f.overall_after = after.action[kOverall];
      if (f.metric_after) f.metric_after = Round2(*f.metric_after);
      if (f.action_after) f.action_after = Round2(*f.action_after);
      if (f.overall_after) f.overall_after = Round2(*f.overall_after);
      a.fixes.push_back(std::move(f));
    };
    for (int m = kM1; m <= kM4C; ++m) {
      if (by_metric[k][m].empty()) continue;
      // The fix the registry gives the first incident's type (types that
      // share a metric share its fix).
      const detect::IncidentType* type =
          detect::FindIncidentType(incidents[by_metric[k][m][0]].type);
      const std::string_view fix = m % 2 == kM1 ? type->fix_text : type->customer_fix_text;
      std::vector<std::string> items;
      for (uint32_t i : by_metric[k][m]) {
        if (items.size() >= kMaxFixItems) break;
        const auto& in = incidents[i];
        items.push_back(fmt::format("#{} {} AS{} {}", i + 1, in.type, in.culprit,
                                    in.prefixes.empty() ? "" : in.prefixes[0].ToString()));
      }
      after.raw[m] = 0;
      after.value[m] = after.value[m] ? std::optional<double>(100) : std::nullopt;
      add_fix(static_cast<Metric>(m), std::string(fix), std::move(items), by_metric[k][m].size());
    }
    // Once the AS stops its hijacks and bogon announcements, those routes
    // are gone from its tallies.
    const Lists& l = lists[k];
    uint32_t routes_after = a.routes - l.q_routes;
    uint32_t valid_after = a.rpki_valid - l.q_valid, invalid_after = a.rpki_invalid - l.q_invalid;
    const uint32_t not_found_after = a.routes - l.q_routes - valid_after - invalid_after;
    const uint32_t irr_after = a.irr_registered - l.q_irr;
    if (l.q_routes > 0) {
      after.value[kM7Irr] = routes_after && have_irr ? std::optional<double>(100.0 * irr_after / routes_after)
                                                     : std::nullopt;
      after.value[kM7Rpki] =
          routes_after && have_vrps
              ? std::optional<double>(std::max(0.0, 100.0 * (valid_after - 10.0 * invalid_after) / routes_after))
              : std::nullopt;
      ComputeActions(&after, seen, opts.bands);
      if (!a.fixes.empty()) {  // the incident fix above withdraws them
        a.fixes.back().overall_after = after.action[kOverall] ? std::optional<double>(Round2(*after.action[kOverall]))
                                                              : std::nullopt;
      }
    }
    auto route_items = [&](const std::vector<uint32_t>& ids) {
      std::vector<std::string> items;
      for (uint32_t i : ids) {
        items.push_back(fmt::format("{} AS{}", s.routes.prefixes()[routes[i].prefix].ToString(), routes[i].origin));
      }
      return items;
    };
    if (have_vrps && invalid_after > 0) {
      // Invalid routes the AS originates: correct the ROA or stop.
      valid_after += invalid_after;
      const uint32_t n = invalid_after;
      invalid_after = 0;
      after.value[kM7Rpki] = 100.0 * valid_after / routes_after;
      add_fix(kM7Rpki, "correct the ROAs (origin or maxLength) behind these RPKI-invalid routes, or withdraw them",
              route_items(l.invalid), n);
    }
    if (have_vrps && not_found_after > 0) {
      valid_after += not_found_after;
      after.value[kM7Rpki] = std::max(0.0, 100.0 * (valid_after - 10.0 * invalid_after) / routes_after);
      add_fix(kM7Rpki, "create ROAs for these routes", route_items(l.not_found), not_found_after);
    }
    if (have_irr && routes_after > irr_after) {
      after.value[kM7Irr] = 100;
      add_fix(kM7Irr, "register route objects for these routes in an IRR", route_items(l.unregistered),
              routes_after - irr_after);
    }
    if (extras.have_peeringdb && a.value[kM6] && *a.value[kM6] < 100) {
      after.value[kM6] = 100;
      add_fix(kM6, extras.peeringdb.NetByAsn(a.asn) ? "publish a NOC or abuse contact (e-mail or phone) in PeeringDB"
                                                   : "register the network in PeeringDB with a NOC or abuse contact",
              {}, 1);
    }
    if (a.value[kM5] && *a.value[kM5] < 100) {
      after.value[kM5] = 100;
      add_fix(kM5, "deploy source address validation (BCP 38, BCP 84): spoofed packets left the network", {},
              static_cast<size_t>(a.raw[kM5]));
    }
  }

  // Aggregates.
  std::map<std::pair<std::string, std::string>, Aggregate> agg;
  auto add = [&](const std::string& kind, const std::string& id, const AsScore& a) {
    Aggregate& g = agg[{kind, id}];
    g.kind = kind;
    g.id = id;
    g.members.push_back(a.asn);
  };
  for (const AsScore& a : board.ases) {
    if (!a.country.empty()) add("country", a.country, a);
    if (!a.region.empty()) add("region", a.region, a);
    add("group", "all", a);
    if (a.manrs) add("group", "manrs", a);
  }
  if (extras.have_peeringdb) {
    for (const peeringdb::Ix& ix : extras.peeringdb.ixs()) {
      for (Asn m : extras.peeringdb.MemberAsns(ix.id)) {
        if (const AsScore* a = find(m)) add("ixp", std::to_string(ix.id), *a);
      }
      auto it = agg.find({"ixp", std::to_string(ix.id)});
      if (it != agg.end()) {
        it->second.name = ix.name;
        it->second.country = ix.country;
      }
    }
  }
  static const std::map<std::string, std::string> kRegionNames = {
      {"afrinic", "AFRINIC (Africa)"},
      {"apnic", "APNIC (Asia-Pacific)"},
      {"arin", "ARIN (North America)"},
      {"lacnic", "LACNIC (Latin America and the Caribbean)"},
      {"ripencc", "RIPE NCC (Europe, Middle East, Central Asia)"}};
  for (auto& [key, g] : agg) {
    if (g.kind == "region") {
      auto it = kRegionNames.find(g.id);
      g.name = it != kRegionNames.end() ? it->second : g.id;
      g.region = g.id;
    } else if (g.kind == "country") {
      g.name = g.id;
      g.country = g.id;
      // The RIR region most of its members' resources come from.
      std::map<std::string, size_t> regions;
      for (Asn m : g.members) {
        if (const AsScore* a = find(m); a && !a->region.empty()) ++regions[a->region];
      }
      size_t most = 0;
      for (const auto& [r, n] : regions) {
        if (n > most) {
          most = n;
          g.region = r;
        }
      }
    } else if (g.kind == "group") {
      g.name = g.id == "all" ? "All networks" : "MANRS participants";
    }
    std::sort(g.members.begin(), g.members.end());
    g.members.erase(std::unique(g.members.begin(), g.members.end()), g.members.end());
    for (size_t act = 0; act < kActionCount; ++act) {
      Aggregate::PerAction& pa = g.action[act];
      double sum = 0;
      uint32_t n = 0;
      for (Asn m : g.members) {
        const AsScore& a = *find(m);
        const auto& band = a.band[act];
        if (band == "ready") {
          ++pa.ready;
        } else if (band == "aspiring") {
          ++pa.aspiring;
        } else if (band == "lagging") {
          ++pa.lagging;
        } else {
          ++pa.no_data;
        }
        if (a.action[act]) {
          sum += *a.action[act];
          ++n;
        }
      }
      if (n) pa.mean = sum / n;
      pa.band = BandOf(pa.mean, opts.bands);
    }
    board.aggregates.push_back(std::move(g));
  }
  return board;
}

}  // namespace vigia::score
