#include "sim/registrations.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "rpki/rpki_client_json.h"
#include "rpki/vrp.h"
#include "sim/rng.h"

namespace vigia::sim {
namespace {

__extension__ typedef unsigned __int128 U128;  // GCC and clang

// One generator per kind of decision, each seeded from the config seed and
// its stream number (SplitMix64's finaliser), so that changing one share
// (say aspa_share) leaves every other decision as it was.
enum Stream : uint64_t {
  kOrgAdoption = 1,
  kAsAdoption,
  kRoaShape,
  kAspaStream,
  kIrrStream,
  kPeeringDbStream,
};

uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + stream * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr std::string_view kIrrSources[kRirCount] = {"AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"};
constexpr std::string_view kTrustAnchors[kRirCount] = {"afrinic", "apnic", "arin", "lacnic",
                                                       "ripe"};

int RirIndex(Rir r) { return static_cast<int>(r); }

// Share of an RPKI adopter's allocations covered by one ROA on the whole
// allocation with a loose maxLength (RFC 9319 advises against it; many do
// it anyway) instead of one exact ROA per announced prefix.
constexpr double kCoveringRoaShare = 0.20;
// Share of IRR adopters that register in RADB rather than their RIR's IRR.
constexpr double kRadbShare = 0.30;
// Per IRR adopter route object: chance of an extra object for an
// unannounced more-specific (a leftover of old traffic engineering).
constexpr double kLeftoverShare = 0.005;

int MaxRouteLength(Family f) { return f == Family::kIpv4 ? 24 : 48; }
int Width(Family f) { return f == Family::kIpv4 ? 32 : 128; }

U128 Ones(int bits) { return bits >= 128 ? ~U128{0} : (U128{1} << bits) - 1; }

U128 ToInt(const IpAddress& a) {
  U128 v = 0;
  const int n = a.is_v4() ? 4 : 16;
  for (int i = 0; i < n; ++i) v = v << 8 | a.bytes()[i];
  return v;
}

IpAddress FromInt(Family f, U128 v) {
  uint8_t b[16] = {};
  const int n = f == Family::kIpv4 ? 4 : 16;
  for (int i = n - 1; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v & 0xFF);
    v >>= 8;
  }
  return IpAddress::FromBytes(f, b);
}

Prefix MakePrefix(Family f, U128 start, int len) {
  return Prefix(FromInt(f, start), static_cast<uint8_t>(len));
}

// First and last address of a prefix as integers.
std::pair<U128, U128> Range(const Prefix& p) {
  const U128 first = ToInt(p.Masked().address());
  return {first, first | Ones(Width(p.family()) - p.length())};
}

// A date in [lo, hi] (both YYYYMMDD): year, month and day drawn, days up
// to 28 so that every draw is a real date, then clamped.
uint32_t DateBetween(Rng* rng, uint32_t lo, uint32_t hi) {
  lo = std::min(std::max<uint32_t>(lo, 19900101), hi);
  const auto y = static_cast<uint32_t>(rng->Between(lo / 10000, hi / 10000));
  const auto m = static_cast<uint32_t>(rng->Between(1, 12));
  const auto d = static_cast<uint32_t>(rng->Between(1, 28));
  return std::clamp(y * 10000 + m * 100 + d, lo, hi);
}

// Address space in use, as merged [first, last] ranges per family, for
// placing IXP LANs where no allocation or announcement is.
class UsedSpace {
 public:
  void Add(const Prefix& p) { Ranges(p.family()).push_back(Range(p)); }
  void Finish() {
    for (auto* v : {&v4_, &v6_}) {
      std::sort(v->begin(), v->end());
      std::vector<std::pair<U128, U128>> merged;
      for (const auto& r : *v) {
        if (!merged.empty() && r.first <= merged.back().second) {
          merged.back().second = std::max(merged.back().second, r.second);
        } else {
          merged.push_back(r);
        }
      }
      *v = std::move(merged);
    }
  }
  bool Overlaps(Family f, U128 first, U128 last) {
    const auto& v = Ranges(f);
    // The last range starting at or before `last` is the only candidate.
    auto it = std::upper_bound(v.begin(), v.end(), std::make_pair(last, ~U128{0}));
    return it != v.begin() && std::prev(it)->second >= first;
  }

 private:
  std::vector<std::pair<U128, U128>>& Ranges(Family f) { return f == Family::kIpv4 ? v4_ : v6_; }
  std::vector<std::pair<U128, U128>> v4_, v6_;
};

// The peering LANs of every IXP, handed out in IXP order from a cursor
// that only moves forward, so LANs never overlap each other.
std::vector<IxpLan> PlanIxpLans(const SyntheticInternet& net) {
  UsedSpace used;
  for (const Allocation& a : net.allocations) used.Add(a.prefix);
  for (const Announcement& a : net.announcements) used.Add(a.prefix);
  for (const PoolRecord& p : net.pool) {
    if (!p.is_asn) used.Add(p.prefix);
  }
  used.Finish();

  std::vector<IxpLan> lans(net.ixps.size());
  // IPv4: 185.1.1.0/24 for the first IXP, 185.1.2.0/24 for the second, ...
  // while nothing is in the way; the end of 185.0.0.0/8 ends the search.
  constexpr U128 kV4Start = 0xB9010100;  // 185.1.1.0
  constexpr U128 kV4End = 0xB9FFFFFF;    // 185.255.255.255
  U128 cursor = kV4Start;
  for (size_t k = 0; k < net.ixps.size(); ++k) {
    // Room for every member plus the network and broadcast addresses.
    const size_t hosts = net.ixps[k].members.size() + 2;
    int len = 24;
    while (len > 16 && (size_t{1} << (32 - len)) < hosts) --len;
    const U128 size = U128{1} << (32 - len);
    cursor = (cursor + size - 1) & ~(size - 1);
    while (cursor + size - 1 <= kV4End && used.Overlaps(Family::kIpv4, cursor, cursor + size - 1)) {
      cursor += size;
    }
    if (cursor + size - 1 > kV4End) break;
    lans[k].v4 = MakePrefix(Family::kIpv4, cursor, len);
    cursor += size;
  }
  // IPv6: 2001:7f8:<k>::/64 (2001:7f8::/29 is where the RIPE NCC assigns
  // IXP blocks), k counting up from 1.
  constexpr U128 kV6Base = U128{0x200107f8} << 96;
  uint32_t k6 = 1;
  for (size_t k = 0; k < net.ixps.size(); ++k) {
    auto first = [&] { return kV6Base | (U128{k6} << 80); };
    while (k6 <= 0xFFFF && used.Overlaps(Family::kIpv6, first(), first() | Ones(64))) ++k6;
    if (k6 > 0xFFFF) break;
    lans[k].v6 = MakePrefix(Family::kIpv6, first(), 64);
    ++k6;
  }
  return lans;
}

// The announcements, allocations and positions of the net, indexed.
struct NetIndex {
  std::unordered_map<Asn, uint32_t> pos;         // ASN -> index in ases
  std::vector<std::vector<uint32_t>> ann_of_as;  // announcements by origin
  std::vector<std::vector<uint32_t>> ann_of_alloc;
  std::vector<std::vector<uint32_t>> alloc_of_as;  // allocations by holder
  std::array<std::vector<uint32_t>, kRirCount> by_rir;

  explicit NetIndex(const SyntheticInternet& net)
      : ann_of_as(net.ases.size()),
        ann_of_alloc(net.allocations.size()),
        alloc_of_as(net.ases.size()) {
    pos.reserve(net.ases.size());
    for (uint32_t i = 0; i < net.ases.size(); ++i) {
      pos.emplace(net.ases[i].asn, i);
      by_rir[RirIndex(net.ases[i].rir)].push_back(i);
    }
    for (uint32_t j = 0; j < net.allocations.size(); ++j) {
      if (auto it = pos.find(net.allocations[j].holder); it != pos.end())
        alloc_of_as[it->second].push_back(j);
    }
    for (uint32_t k = 0; k < net.announcements.size(); ++k) {
      const Announcement& a = net.announcements[k];
      if (auto it = pos.find(a.origin); it != pos.end()) ann_of_as[it->second].push_back(k);
      if (a.allocation < ann_of_alloc.size()) ann_of_alloc[a.allocation].push_back(k);
    }
  }
  const SynthAs* Find(const SyntheticInternet& net, Asn asn) const {
    auto it = pos.find(asn);
    return it == pos.end() ? nullptr : &net.ases[it->second];
  }
};

std::string Maintainer(Asn asn) { return fmt::format("MAINT-AS{}", asn); }

}  // namespace

std::string_view IrrSourceName(Rir r) { return kIrrSources[RirIndex(r)]; }
std::string_view TrustAnchorName(Rir r) { return kTrustAnchors[RirIndex(r)]; }

Registrations GenerateRegistrations(const SyntheticInternet& net,
                                    const RegistrationConfig& config) {
  const size_t n = net.ases.size();
  const NetIndex index(net);
  Registrations regs;
  regs.seed = config.seed;
  regs.rpki_adopter.assign(n, 0);
  regs.irr_adopter.assign(n, 0);
  regs.in_peeringdb.assign(n, 0);
  regs.has_poc.assign(n, 0);

  // --- Who registers where. One organisation runs one set of RPKI
  // certificates, so siblings adopt together; the rest is per AS. Every
  // draw is made whatever the tier, so the decisions of one AS never shift
  // those of the next.
  {
    Rng org_rng(StreamSeed(config.seed, kOrgAdoption));
    std::vector<uint8_t> org_rpki(net.orgs.size());
    for (size_t o = 0; o < net.orgs.size(); ++o) {
      org_rpki[o] = org_rng.Chance(config.roa_share[RirIndex(net.orgs[o].rir)]);
    }
    Rng rng(StreamSeed(config.seed, kAsAdoption));
    for (size_t i = 0; i < n; ++i) {
      const SynthAs& as = net.ases[i];
      const int r = RirIndex(as.rir);
      const bool irr = rng.Chance(config.irr_share[r]);
      const bool pdb = rng.Chance(config.peeringdb_share[r]);
      const bool poc = rng.Chance(config.poc_share);
      regs.rpki_adopter[i] = as.org < org_rpki.size() && org_rpki[as.org];
      regs.irr_adopter[i] = irr;
      // Transit networks that sell to other networks all have a record.
      regs.in_peeringdb[i] = pdb || as.tier == Tier::kTier1 || as.tier == Tier::kTier2;
      regs.has_poc[i] = regs.in_peeringdb[i] && poc;
    }
  }

  // --- ROAs: each adopter covers every prefix it announces, so each of
  // its baseline announcements is RPKI-valid (RFC 6811 §2: a covering VRP
  // with its origin and a maxLength at least the prefix length). ROAs are
  // issued only inside the adopter's own allocations: no other AS's
  // announcement is covered, so none is made invalid.
  {
    Rng rng(StreamSeed(config.seed, kRoaShape));
    for (size_t i = 0; i < n; ++i) {
      if (!regs.rpki_adopter[i]) continue;
      const SynthAs& as = net.ases[i];
      for (uint32_t j : index.alloc_of_as[i]) {
        const Allocation& alloc = net.allocations[j];
        std::vector<const Announcement*> anns;
        for (uint32_t k : index.ann_of_alloc[j]) {
          const Announcement& a = net.announcements[k];
          if (a.origin == as.asn && alloc.prefix.Contains(a.prefix)) anns.push_back(&a);
        }
        if (anns.empty()) continue;
        if (rng.Chance(kCoveringRoaShare)) {
          int max_length =
              std::max<int>(alloc.prefix.length(), MaxRouteLength(alloc.prefix.family()));
          for (const Announcement* a : anns)
            max_length = std::max<int>(max_length, a->prefix.length());
          regs.roas.push_back(
              {alloc.prefix.Masked(), static_cast<uint8_t>(max_length), as.asn, as.rir});
        } else {
          for (const Announcement* a : anns) {
            regs.roas.push_back({a->prefix.Masked(), a->prefix.length(), as.asn, as.rir});
          }
        }
      }
    }
  }

  // --- ASPAs: a share of the adopters with providers lists them all. An
  // AS without providers would publish an AS0 ASPA, which is left out.
  {
    Rng rng(StreamSeed(config.seed, kAspaStream));
    for (size_t i = 0; i < n; ++i) {
      if (!regs.rpki_adopter[i]) continue;
      const bool publish = rng.Chance(config.aspa_share);
      const auto gi = net.graph.Index(net.ases[i].asn);
      if (!publish || !gi) continue;
      SimAspa aspa;
      aspa.customer = net.ases[i].asn;
      for (uint32_t p : net.graph.Providers(*gi)) aspa.providers.push_back(net.graph.AsnAt(p));
      if (aspa.providers.empty()) continue;
      std::sort(aspa.providers.begin(), aspa.providers.end());
      aspa.providers.erase(std::unique(aspa.providers.begin(), aspa.providers.end()),
                           aspa.providers.end());
      regs.aspas.push_back(std::move(aspa));
    }
  }

  // --- Route objects (RFC 2622 §4, RFC 4012 §2): one per announced prefix
  // of an IRR adopter, in its RIR's database or in RADB. A few are stale:
  // registered for a former origin and never updated; a few more register
  // a more-specific nobody announces.
  {
    Rng rng(StreamSeed(config.seed, kIrrStream));
    std::set<Prefix> leftovers;
    for (size_t i = 0; i < n; ++i) {
      if (!regs.irr_adopter[i]) continue;
      const SynthAs& as = net.ases[i];
      const std::string source(rng.Chance(kRadbShare) ? std::string_view("RADB")
                                                      : IrrSourceName(as.rir));
      const std::vector<uint32_t>& same_rir = index.by_rir[RirIndex(as.rir)];
      for (uint32_t k : index.ann_of_as[i]) {
        const Announcement& a = net.announcements[k];
        const uint32_t alloc_date =
            a.allocation < net.allocations.size() ? net.allocations[a.allocation].date : 0;
        const uint32_t changed = DateBetween(&rng, alloc_date, config.date);
        Asn origin = as.asn;
        if (rng.Chance(config.stale_irr_share) && same_rir.size() >= 2) {
          // Another AS of the region, never this one.
          const auto self = static_cast<size_t>(
              std::lower_bound(same_rir.begin(), same_rir.end(), static_cast<uint32_t>(i)) -
              same_rir.begin());
          size_t pick = rng.Below(same_rir.size() - 1);
          if (pick >= self) ++pick;
          origin = net.ases[same_rir[pick]].asn;
          regs.stale.push_back({"irr_former_origin", a.prefix, origin, as.asn, source});
        }
        regs.route_objects.push_back({a.prefix, origin, source, Maintainer(origin), changed});

        if (!rng.Chance(kLeftoverShare) || a.allocation >= net.allocations.size()) continue;
        const Allocation& alloc = net.allocations[a.allocation];
        const Family f = alloc.prefix.family();
        const int len = MaxRouteLength(f);
        if (alloc.prefix.length() >= len || alloc.holder != as.asn) continue;
        const uint64_t slots = uint64_t{1} << std::min(62, len - alloc.prefix.length());
        const U128 base = Range(alloc.prefix).first;
        const uint64_t slot = rng.Below(slots);
        const uint32_t leftover_changed = DateBetween(&rng, alloc.date, config.date);
        const Prefix p = MakePrefix(f, base + (U128{slot} << (Width(f) - len)), len);
        const std::vector<uint32_t>& in_alloc = index.ann_of_alloc[a.allocation];
        const bool announced = std::any_of(in_alloc.begin(), in_alloc.end(), [&](uint32_t x) {
          return net.announcements[x].prefix == p;
        });
        if (announced || !leftovers.insert(p).second) continue;
        regs.route_objects.push_back({p, as.asn, source, Maintainer(as.asn), leftover_changed});
        regs.stale.push_back({"irr_unannounced", p, as.asn, 0, source});
      }
    }
  }

  regs.ixp_lans = PlanIxpLans(net);

  std::sort(regs.roas.begin(), regs.roas.end(), [](const SimRoa& a, const SimRoa& b) {
    return std::tie(a.prefix, a.max_length, a.asn, a.ta) <
           std::tie(b.prefix, b.max_length, b.asn, b.ta);
  });
  std::sort(regs.aspas.begin(), regs.aspas.end(),
            [](const SimAspa& a, const SimAspa& b) { return a.customer < b.customer; });
  std::sort(regs.route_objects.begin(), regs.route_objects.end(),
            [](const SimRouteObject& a, const SimRouteObject& b) {
              return std::tie(a.source, a.prefix, a.origin) <
                     std::tie(b.source, b.prefix, b.origin);
            });
  std::sort(regs.stale.begin(), regs.stale.end(),
            [](const StaleRegistration& a, const StaleRegistration& b) {
              return std::tie(a.where, a.prefix, a.registered_origin, a.kind) <
                     std::tie(b.where, b.prefix, b.registered_origin, b.kind);
            });
  return regs;
}

// --- rpki-client JSON -------------------------------------------------------

Status WriteRoas(const Registrations& regs, const std::string& path, int64_t generated) {
  std::vector<SimRoa> roas = regs.roas;
  std::sort(roas.begin(), roas.end(), [](const SimRoa& a, const SimRoa& b) {
    return std::tie(a.prefix, a.max_length, a.asn, a.ta) <
           std::tie(b.prefix, b.max_length, b.asn, b.ta);
  });
  rpki::VrpSet set;
  for (const SimRoa& r : roas) {
    if (!set.Add(r.prefix, r.max_length, r.asn, std::string(TrustAnchorName(r.ta)))) {
      return Status::InvalidArgument(fmt::format(
          "{}: ROA {} maxLength {} AS{}: maxLength outside [prefix length, address width] "
          "(RFC 6482 §3.3)",
          path, r.prefix.ToString(), r.max_length, r.asn));
    }
  }
  for (const SimAspa& a : regs.aspas) set.aspas().Add(a.customer, a.providers);
  rpki::RpkiClientJsonMetadata meta;
  meta.build_time = static_cast<time_t>(generated);
  return rpki::WriteFileAtomically(path, rpki::FormatRpkiClientJson(set, meta));
}

// --- RPSL dumps -------------------------------------------------------------

namespace {

// A gzip file written through zlib. gzopen writes a header with no file
// name and a zero modification time, so equal content gives equal bytes.
class GzFile {
 public:
  GzFile() = default;
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;
  ~GzFile() {
    if (gz_ != nullptr) gzclose(gz_);
  }

  Status Open(const std::string& path) {
    path_ = path;
    gz_ = gzopen(path.c_str(), "wb");
    if (gz_ == nullptr) {
      return Status::IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    }
    gzbuffer(gz_, 1 << 18);
    return Status::Ok();
  }
  void Append(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1 << 20)) Flush();
  }
  Status Close() {
    Flush();
    const int rc = gzclose(gz_);
    gz_ = nullptr;
    if (failed_ || rc != Z_OK) return Status::IoError(path_ + ": write failed");
    return Status::Ok();
  }

 private:
  void Flush() {
    size_t done = 0;
    while (!failed_ && done < buf_.size()) {
      const auto chunk = static_cast<unsigned>(std::min<size_t>(buf_.size() - done, 1 << 30));
      if (gzwrite(gz_, buf_.data() + done, chunk) != static_cast<int>(chunk)) failed_ = true;
      done += chunk;
    }
    buf_.clear();
  }

  std::string path_;
  gzFile gz_ = nullptr;
  std::string buf_;
  bool failed_ = false;
};

// One attribute line, values aligned at column 16 as the RIPE database
// writes them.
void Attr(std::string* o, std::string_view key, std::string_view value) {
  fmt::format_to(std::back_inserter(*o), "{:<16}{}\n", fmt::format("{}:", key), value);
}

std::string LastModified(uint32_t date) {
  return fmt::format("{:04}-{:02}-{:02}T00:00:00Z", date / 10000, date / 100 % 100, date % 100);
}

// "Alta Net BR" -> "ALTA-NET-BR": an RPSL object name (RFC 2622 §2:
// letters, digits, '-' and '_', starting with a letter).
std::string NameToken(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty() || !(out[0] >= 'A' && out[0] <= 'Z')) out.insert(0, "N-");
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The ASN in a "MAINT-AS<n>" name, or nullopt.
std::optional<Asn> MaintainerAsn(std::string_view name) {
  constexpr std::string_view kPrefix = "MAINT-AS";
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size() || name.size() > 18)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<Asn>(v);
}

}  // namespace

Status WriteRpslDumps(const SyntheticInternet& net, const Registrations& regs,
                      const std::string& dir) {
  const NetIndex index(net);
  auto org_name = [&](Asn asn) -> std::string {
    const SynthAs* as = index.Find(net, asn);
    if (as == nullptr || as->org >= net.orgs.size()) return fmt::format("AS{}", asn);
    return net.orgs[as->org].name;
  };

  std::map<std::string, std::vector<const SimRouteObject*>> by_source;
  for (const SimRouteObject& r : regs.route_objects) {
    const bool safe =
        !r.source.empty() && std::all_of(r.source.begin(), r.source.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        });
    if (!safe) {
      return Status::InvalidArgument(
          fmt::format("route object {}: source \"{}\" is not an RPSL source name",
                      r.prefix.ToString(), r.source));
    }
    by_source[r.source].push_back(&r);
  }

  for (auto& [source, routes] : by_source) {
    std::sort(routes.begin(), routes.end(), [](const SimRouteObject* a, const SimRouteObject* b) {
      return std::tie(a->prefix, a->origin, a->mnt_by) < std::tie(b->prefix, b->origin, b->mnt_by);
    });
    // The aut-num of every origin, and a mntner for every maintainer named.
    std::map<Asn, uint32_t> aut_nums;  // origin -> latest change of its objects
    std::set<std::string> mntners;
    for (const SimRouteObject* r : routes) {
      uint32_t& changed = aut_nums[r->origin];
      changed = std::max(changed, r->changed);
      mntners.insert(Maintainer(r->origin));
      size_t p = 0;
      while (p < r->mnt_by.size()) {
        const size_t q = std::min(r->mnt_by.find_first_of(" ,\t", p), r->mnt_by.size());
        if (q > p) mntners.insert(r->mnt_by.substr(p, q - p));
        p = q + 1;
      }
    }

    const std::string path = fmt::format("{}/{}.db.gz", dir, Lower(source));
    GzFile file;
    if (Status s = file.Open(path); !s.ok()) return s;
    std::string o = fmt::format(
        "#\n# Synthetic {} IRR database dump written by vigia simulate.\n"
        "# Route objects (RFC 2622, RFC 4012) with their aut-num and mntner objects;\n"
        "# mntner authentication is filtered as in the RIPE NCC's public dumps.\n#\n\n",
        source);
    for (const std::string& m : mntners) {
      const std::optional<Asn> asn = MaintainerAsn(m);
      const std::string contact =
          asn ? fmt::format("noc@as{}.example", *asn) : fmt::format("noc@{}.example", Lower(m));
      Attr(&o, "mntner", m);
      Attr(
          &o, "descr",
          asn ? fmt::format("Maintainer for {}", org_name(*asn)) : fmt::format("Maintainer {}", m));
      // The RIPE NCC's dumps replace every contact handle by this one.
      if (source == "RIPE") Attr(&o, "admin-c", "DUMY-RIPE");
      Attr(&o, "upd-to", contact);
      Attr(&o, "auth", "MD5-PW # Filtered");
      Attr(&o, "mnt-by", m);
      Attr(&o, "source", fmt::format("{} # Filtered", source));
      o += '\n';
      file.Append(o);
      o.clear();
    }
    for (const auto& [asn, changed] : aut_nums) {
      const std::string name = org_name(asn);
      Attr(&o, "aut-num", fmt::format("AS{}", asn));
      Attr(&o, "as-name", NameToken(name));
      Attr(&o, "descr", name);
      if (source == "RIPE") {
        Attr(&o, "admin-c", "DUMY-RIPE");
        Attr(&o, "tech-c", "DUMY-RIPE");
      }
      Attr(&o, "mnt-by", Maintainer(asn));
      Attr(&o, "last-modified", LastModified(changed));
      Attr(&o, "source", source);
      o += '\n';
      file.Append(o);
      o.clear();
    }
    for (const SimRouteObject* r : routes) {
      const bool v4 = r->prefix.family() == Family::kIpv4;
      Attr(&o, v4 ? "route" : "route6", r->prefix.ToString());
      Attr(&o, "descr", org_name(r->origin));
      Attr(&o, "origin", fmt::format("AS{}", r->origin));
      if (!r->mnt_by.empty()) Attr(&o, "mnt-by", r->mnt_by);
      Attr(&o, "last-modified", LastModified(r->changed));
      Attr(&o, "source", source);
      o += '\n';
      file.Append(o);
      o.clear();
    }
    if (Status s = file.Close(); !s.ok()) return s;
  }
  return Status::Ok();
}

// --- PeeringDB --------------------------------------------------------------

namespace {

// One JSON object on one line, fields in the order they are added.
class JsonRecord {
 public:
  JsonRecord& Int(std::string_view key, int64_t v) {
    Key(key);
    fmt::format_to(std::back_inserter(text_), "{}", v);
    return *this;
  }
  JsonRecord& Bool(std::string_view key, bool v) {
    Key(key);
    text_ += v ? "true" : "false";
    return *this;
  }
  JsonRecord& Null(std::string_view key) {
    Key(key);
    text_ += "null";
    return *this;
  }
  JsonRecord& Str(std::string_view key, std::string_view v) {
    Key(key);
    Quote(v);
    return *this;
  }
  std::string Take() {
    text_ += text_.empty() ? "{}" : "}";
    return std::move(text_);
  }

 private:
  void Key(std::string_view key) {
    text_ += text_.empty() ? "{" : ", ";
    Quote(key);
    text_ += ": ";
  }
  void Quote(std::string_view s) {
    text_.push_back('"');
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_.push_back('\\');
        text_.push_back(c);
      } else if (u < 0x20) {
        fmt::format_to(std::back_inserter(text_), "\\u{:04x}", u);
      } else {
        text_.push_back(c);
      }
    }
    text_.push_back('"');
  }
  std::string text_;
};

// PeeringDB's region_continent for a country.
std::string_view Continent(Rir rir, std::string_view cc) {
  switch (rir) {
    case Rir::kAfrinic:
      return "Africa";
    case Rir::kApnic:
      return cc == "AU" || cc == "NZ" ? "Australia" : "Asia Pacific";
    case Rir::kArin:
      return "North America";
    case Rir::kLacnic: {
      constexpr std::string_view kSouth[] = {"AR", "BO", "BR", "CL", "CO",
                                             "EC", "PE", "PY", "UY", "VE"};
      return std::find(std::begin(kSouth), std::end(kSouth), cc) != std::end(kSouth)
                 ? "South America"
                 : "North America";
    }
    case Rir::kRipeNcc:
      return cc == "AE" || cc == "IR" ? "Middle East" : "Europe";
  }
  return "Europe";
}

// {"table": {"data": [records, one per line]}}, tables joined by commas.
void AppendTable(std::string* o, std::string_view name, const std::vector<std::string>& records) {
  fmt::format_to(std::back_inserter(*o), "{}\"{}\": {{\"data\": [", o->size() > 2 ? ",\n" : "",
                 name);
  for (size_t i = 0; i < records.size(); ++i) {
    *o += i ? ",\n  " : "\n  ";
    *o += records[i];
  }
  *o += records.empty() ? "]}" : "\n]}";
}

}  // namespace

Status WritePeeringDb(const SyntheticInternet& net, const Registrations& regs,
                      const std::string& path) {
  const size_t n = net.ases.size();
  if (regs.in_peeringdb.size() != n || regs.has_poc.size() != n ||
      regs.ixp_lans.size() != net.ixps.size()) {
    return Status::InvalidArgument(path + ": registrations were generated for another Internet");
  }
  const NetIndex index(net);
  Rng rng(StreamSeed(regs.seed, kPeeringDbStream));

  // org: every organisation with a network in PeeringDB; id = position + 1.
  std::vector<std::string> orgs;
  {
    std::vector<uint8_t> listed(net.orgs.size(), 0);
    for (size_t i = 0; i < n; ++i) {
      if (regs.in_peeringdb[i] && net.ases[i].org < listed.size()) listed[net.ases[i].org] = 1;
    }
    std::set<std::string> names;  // PeeringDB names are unique
    for (size_t o = 0; o < net.orgs.size(); ++o) {
      if (!listed[o]) continue;
      const SynthOrg& org = net.orgs[o];
      std::string name = org.name;
      if (!names.insert(name).second) names.insert(name = fmt::format("{} ({})", org.name, org.id));
      orgs.push_back(JsonRecord()
                         .Int("id", static_cast<int64_t>(o + 1))
                         .Str("name", name)
                         .Str("website", fmt::format("https://{}.example", Lower(org.id)))
                         .Str("country", org.country)
                         .Str("status", "ok")
                         .Take());
    }
  }

  // net: one per AS in PeeringDB, ids in ases order.
  std::vector<std::string> nets;
  std::vector<uint32_t> net_id(n, 0);
  {
    std::vector<uint32_t> v4(n, 0), v6(n, 0);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t k : index.ann_of_as[i]) {
        ++(net.announcements[k].prefix.family() == Family::kIpv4 ? v4[i] : v6[i]);
      }
    }
    std::set<std::string> names;
    constexpr std::string_view kPolicies[] = {"Open", "Selective", "Restrictive"};
    constexpr std::string_view kStubTypes[] = {"Content", "Enterprise", "Cable/DSL/ISP"};
    constexpr uint32_t kStubTypeWeights[] = {3, 4, 3};
    for (size_t i = 0; i < n; ++i) {
      if (!regs.in_peeringdb[i]) continue;
      const SynthAs& as = net.ases[i];
      const SynthOrg* org = as.org < net.orgs.size() ? &net.orgs[as.org] : nullptr;
      // Tier 1 peers restrictively, tier 2 mostly selectively, the rest
      // mostly openly.
      const uint32_t policy_weights[4][3] = {{0, 1, 9}, {3, 6, 1}, {8, 2, 0}, {9, 1, 0}};
      const size_t policy = rng.Weighted(policy_weights[static_cast<int>(as.tier)], 3);
      const size_t stub_type = rng.Weighted(kStubTypeWeights, 3);
      std::string_view info_type = as.tier == Tier::kTier1 || as.tier == Tier::kTier2 ? "NSP"
                                   : as.tier == Tier::kTier3 ? "Cable/DSL/ISP"
                                                             : kStubTypes[stub_type];
      std::string name = org ? org->name : fmt::format("AS{}", as.asn);
      if (org != nullptr && org->ases.size() > 1) name = fmt::format("{} AS{}", name, as.asn);
      if (!names.insert(name).second) names.insert(name = fmt::format("{} AS{}", name, as.asn));
      net_id[i] = static_cast<uint32_t>(nets.size() + 1);
      JsonRecord r;
      r.Int("id", net_id[i]);
      if (org != nullptr) r.Int("org_id", as.org + 1);
      r.Int("asn", as.asn)
          .Str("name", name)
          .Str("aka", fmt::format("AS{}-{}", as.asn, as.country))
          .Str("website", fmt::format("https://as{}.example", as.asn))
          .Str("irr_as_set", as.tier != Tier::kStub && org != nullptr ? "AS-" + NameToken(org->name)
                                                                      : std::string())
          .Str("info_type", info_type)
          .Int("info_prefixes4", v4[i])
          .Int("info_prefixes6", v6[i])
          .Str("policy_general", kPolicies[policy])
          .Str("status", "ok");
      nets.push_back(r.Take());
    }
  }

  // ix, ixlan (one per ix, same id), ixpfx and netixlan.
  std::vector<std::string> ixs, ixlans, ixpfxs, ports;
  {
    constexpr uint32_t kSpeeds[] = {1000, 10000, 40000, 100000};
    const uint32_t speed_weights[4][4] = {{0, 1, 1, 8}, {0, 4, 2, 4}, {2, 6, 1, 1}, {5, 5, 0, 0}};
    constexpr double kRsPeer[4] = {0.1, 0.5, 0.8, 0.8};
    uint32_t pfx_id = 0, port_id = 0;
    for (size_t k = 0; k < net.ixps.size(); ++k) {
      const SynthIxp& x = net.ixps[k];
      ixs.push_back(JsonRecord()
                        .Int("id", x.id)
                        .Str("name", x.name)
                        .Str("name_long", x.name + " Internet Exchange")
                        .Str("country", x.country)
                        .Str("region_continent", Continent(x.rir, x.country))
                        .Str("website", fmt::format("https://ix{}.example", x.id))
                        .Str("tech_email", fmt::format("noc@ix{}.example", x.id))
                        .Str("policy_email", fmt::format("peering@ix{}.example", x.id))
                        .Str("status", "ok")
                        .Take());
      ixlans.push_back(JsonRecord()
                           .Int("id", x.id)
                           .Int("ix_id", x.id)
                           .Str("name", "")
                           .Int("mtu", 1500)
                           .Str("status", "ok")
                           .Take());
      const IxpLan& lan = regs.ixp_lans[k];
      for (const std::optional<Prefix>& p : {lan.v4, lan.v6}) {
        if (!p) continue;
        ixpfxs.push_back(JsonRecord()
                             .Int("id", ++pfx_id)
                             .Int("ixlan_id", x.id)
                             .Str("protocol", p->family() == Family::kIpv4 ? "IPv4" : "IPv6")
                             .Str("prefix", p->ToString())
                             .Bool("in_dfz", false)
                             .Str("status", "ok")
                             .Take());
      }
      // Addresses by position among all members, so that a network's
      // address does not depend on who else is in PeeringDB.
      for (size_t m = 0; m < x.members.size(); ++m) {
        const SynthAs* as = index.Find(net, x.members[m]);
        if (as == nullptr) continue;
        const size_t i = static_cast<size_t>(as - net.ases.data());
        if (!regs.in_peeringdb[i]) continue;
        const int tier = static_cast<int>(as->tier);
        const uint32_t speed = kSpeeds[rng.Weighted(speed_weights[tier], 4)];
        const bool rs = rng.Chance(kRsPeer[tier]);
        JsonRecord r;
        r.Int("id", ++port_id)
            .Int("net_id", net_id[i])
            .Int("ix_id", x.id)
            .Int("ixlan_id", x.id)
            .Int("asn", as->asn);
        // A LAN is a /16 at most: past its last host address, no IPv4.
        if (lan.v4 && Range(*lan.v4).first + m + 1 < Range(*lan.v4).second) {
          r.Str("ipaddr4", FromInt(Family::kIpv4, Range(*lan.v4).first + m + 1).ToString());
        } else {
          r.Null("ipaddr4");
        }
        if (lan.v6) {
          // The member's ASN in the interface identifier, as many IXPs do.
          const U128 host = U128{as->asn} << 16 | 1;
          r.Str("ipaddr6", FromInt(Family::kIpv6, Range(*lan.v6).first | host).ToString());
        } else {
          r.Null("ipaddr6");
        }
        r.Int("speed", speed).Bool("is_rs_peer", rs).Bool("operational", true).Str("status", "ok");
        ports.push_back(r.Take());
      }
    }
  }

  // poc: 1-3 contacts, of distinct roles, for the nets that have them.
  std::vector<std::string> pocs;
  {
    constexpr std::string_view kRoles[] = {"Abuse", "NOC", "Technical", "Policy"};
    constexpr std::string_view kMailbox[] = {"abuse", "noc", "tech", "peering"};
    uint32_t poc_id = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!regs.has_poc[i]) continue;
      const Asn asn = net.ases[i].asn;
      const uint64_t count = rng.Between(1, 3);
      size_t roles[] = {0, 1, 2, 3};
      for (size_t r = 0; r < count; ++r) std::swap(roles[r], roles[r + rng.Below(4 - r)]);
      for (size_t r = 0; r < count; ++r) {
        const bool is_public = rng.Chance(0.75);
        const uint64_t phone = rng.Between(1'000'000'000, 9'999'999'999);
        pocs.push_back(JsonRecord()
                           .Int("id", ++poc_id)
                           .Int("net_id", net_id[i])
                           .Str("role", kRoles[roles[r]])
                           .Str("visible", is_public ? "Public" : "Users")
                           .Str("name", fmt::format("{} AS{}", kRoles[roles[r]], asn))
                           .Str("email", fmt::format("{}@as{}.example", kMailbox[roles[r]], asn))
                           .Str("phone", fmt::format("+{}", phone))
                           .Str("url", "")
                           .Str("status", "ok")
                           .Take());
      }
    }
  }

  // The full-dump form, tables in name order.
  std::string text = "{\n";
  AppendTable(&text, "ix", ixs);
  AppendTable(&text, "ixlan", ixlans);
  AppendTable(&text, "ixpfx", ixpfxs);
  AppendTable(&text, "net", nets);
  AppendTable(&text, "netixlan", ports);
  AppendTable(&text, "org", orgs);
  AppendTable(&text, "poc", pocs);
  text += "\n}\n";

  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Status::IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  }
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace vigia::sim
