#include "sim/synthetic_topology.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/limits.h"
#include "sim/rng.h"

namespace vigia::sim {
namespace {

using U128 = __uint128_t;

struct CountryWeight {
  const char* cc;
  uint32_t weight;
};

// Per RIR, real countries weighted roughly by their share of the RIR's ASes.
constexpr CountryWeight kAfrinicCountries[] = {{"ZA", 300}, {"NG", 120}, {"KE", 80}, {"GH", 50},
                                               {"TZ", 50},  {"EG", 40},  {"UG", 30}, {"MA", 20},
                                               {"AO", 20},  {"ZM", 20}};
constexpr CountryWeight kApnicCountries[] = {{"IN", 180}, {"ID", 170}, {"AU", 160}, {"CN", 100},
                                             {"JP", 80},  {"BD", 80},  {"HK", 60},  {"KR", 40},
                                             {"VN", 40},  {"SG", 30},  {"PH", 30},  {"NZ", 25},
                                             {"TH", 25},  {"PK", 25},  {"MY", 20}};
constexpr CountryWeight kArinCountries[] = {{"US", 880}, {"CA", 100}, {"PR", 8},
                                            {"BS", 4},   {"JM", 4},   {"BB", 2}};
constexpr CountryWeight kLacnicCountries[] = {
    {"BR", 400}, {"MX", 160}, {"AR", 80}, {"CO", 70}, {"CL", 60}, {"EC", 35},
    {"PE", 30},  {"VE", 25},  {"UY", 15}, {"PY", 15}, {"CR", 15}, {"PA", 15},
    {"BO", 12},  {"GT", 12},  {"DO", 12}, {"HN", 10}, {"SV", 8},  {"NI", 6},
    {"TT", 6},   {"HT", 4},   {"CU", 2},  {"BZ", 2}};
constexpr CountryWeight kRipeCountries[] = {
    {"RU", 150}, {"DE", 120}, {"GB", 100}, {"PL", 80}, {"UA", 70}, {"NL", 60},
    {"FR", 60},  {"IT", 60},  {"ES", 40},  {"CH", 35}, {"SE", 30}, {"TR", 30},
    {"CZ", 30},  {"RO", 30},  {"IR", 25},  {"BG", 20}, {"AT", 20}, {"AE", 8}};

std::span<const CountryWeight> Countries(Rir r) {
  switch (r) {
    case Rir::kAfrinic:
      return kAfrinicCountries;
    case Rir::kApnic:
      return kApnicCountries;
    case Rir::kArin:
      return kArinCountries;
    case Rir::kLacnic:
      return kLacnicCountries;
    case Rir::kRipeNcc:
      return kRipeCountries;
  }
  return kRipeCountries;
}

// Shares of all ASes by RIR (roughly the NRO's ASN statistics).
constexpr uint32_t kRirWeights[kRirCount] = {4, 18, 27, 17, 34};
// Where Tier-1 networks sit.
constexpr uint32_t kTier1RirWeights[kRirCount] = {0, 1, 5, 0, 4};

// IPv4 /8s IANA allocated to each RIR (IANA IPv4 address space registry),
// leaving out /8s that contain special-purpose blocks (RFC 6890: 100.64/10,
// 192.0.0/24, 198.18/15, ...) so nothing carved from them is a bogon.
constexpr uint8_t kAfrinicV4[] = {41, 102, 105, 154, 196, 197};
constexpr uint8_t kApnicV4[] = {14,  27,  36,  39,  42,  49,  58,  59,  60,  61,  101,
                                103, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118,
                                119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183,
                                202, 203, 210, 211, 218, 219, 220, 221, 222};
constexpr uint8_t kArinV4[] = {23,  24,  50,  63,  64,  65,  66,  67,  68,  69,  70,  71,
                               72,  73,  74,  75,  76,  96,  97,  98,  99,  104, 107, 108,
                               173, 174, 184, 199, 204, 205, 206, 207, 208, 209, 216};
constexpr uint8_t kLacnicV4[] = {177, 179, 181, 186, 187, 189, 190, 191, 200, 201};
constexpr uint8_t kRipeV4[] = {2,  5,   31,  37,  46,  62,  77,  78,  79,  80,  81,  82,
                               83, 84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,
                               95, 109, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217};

std::span<const uint8_t> V4Blocks(Rir r) {
  switch (r) {
    case Rir::kAfrinic:
      return kAfrinicV4;
    case Rir::kApnic:
      return kApnicV4;
    case Rir::kArin:
      return kArinV4;
    case Rir::kLacnic:
      return kLacnicV4;
    case Rir::kRipeNcc:
      return kRipeV4;
  }
  return kRipeV4;
}

// What each RIR is called where, its IPv6 /12 (IANA IPv6 unicast address
// registry) and the UTC offset of its delegated files.
struct RirInfo {
  std::string_view name;      // "RIPE NCC"
  std::string_view registry;  // as in delegated files: "ripencc"
  std::string_view tag;       // in generated identifiers: "RIPENCC"
  std::string_view utc_offset;
  uint16_t v6_block;
};
constexpr RirInfo kRirInfo[kRirCount] = {
    {"AFRINIC", "afrinic", "AFRINIC", "+0200", 0x2c00},
    {"APNIC", "apnic", "APNIC", "+1000", 0x2400},
    {"ARIN", "arin", "ARIN", "-0500", 0x2600},
    {"LACNIC", "lacnic", "LACNIC", "-0300", 0x2800},
    {"RIPE NCC", "ripencc", "RIPENCC", "+0100", 0x2a00},
};
const RirInfo& Info(Rir r) { return kRirInfo[static_cast<int>(r)]; }
uint16_t V6Block(Rir r) { return Info(r).v6_block; }
std::string_view RirTag(Rir r) { return Info(r).tag; }
std::string_view UtcOffset(Rir r) { return Info(r).utc_offset; }

Prefix MakePrefix(Family f, U128 start, int len) {
  uint8_t b[16] = {};
  const int n = f == Family::kIpv4 ? 4 : 16;
  for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start >> (8 * (n - 1 - i)));
  return Prefix(IpAddress::FromBytes(f, b), static_cast<uint8_t>(len));
}

U128 PrefixStart(const Prefix& p) {
  const int n = p.family() == Family::kIpv4 ? 4 : 16;
  U128 v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p.address().bytes()[i];
  return v;
}

// A buddy allocator over an RIR's blocks of one family: free blocks kept by
// prefix length; taking a block splits the smallest free block that holds it,
// so blocks handed out never overlap and are always aligned.
class BuddyPool {
 public:
  explicit BuddyPool(Family f) : family_(f), bits_(f == Family::kIpv4 ? 32 : 128) {}
  void Add(U128 start, int len) { free_[len].push_back(start); }
  bool Take(int len, Rng* rng, U128* out) {
    int l = len;
    while (l >= 0 && free_[l].empty()) --l;
    if (l < 0) return false;
    std::vector<U128>& list = free_[l];
    const size_t i = rng->Below(list.size());
    U128 start = list[i];
    list[i] = list.back();
    list.pop_back();
    while (l < len) {
      ++l;
      const U128 half = U128{1} << (bits_ - l);
      // Keep either half, so allocations spread over the block.
      if (rng->Chance(0.5)) {
        free_[l].push_back(start);
        start += half;
      } else {
        free_[l].push_back(start + half);
      }
    }
    *out = start;
    return true;
  }
  Family family() const { return family_; }

 private:
  Family family_;
  int bits_;
  std::array<std::vector<U128>, 129> free_;
};

uint32_t Date(Rng* rng, uint32_t year_lo, uint32_t year_hi) {
  const auto y = static_cast<uint32_t>(rng->Between(year_lo, year_hi));
  const auto m = static_cast<uint32_t>(rng->Between(1, 12));
  const auto d = static_cast<uint32_t>(rng->Between(1, 28));
  return y * 10000 + m * 100 + d;
}

uint32_t CeilLog2(uint64_t n) {
  uint32_t b = 0;
  while ((uint64_t{1} << b) < n) ++b;
  return b;
}

// Splits total among the entries with a nonzero weight: one each when the
// total allows (else one each to `total` of them, drawn at random), the rest
// in proportion to the weights by the largest-remainder method. Integer
// arithmetic only, so the split is the same everywhere.
std::vector<uint32_t> Apportion(uint64_t total, const std::vector<uint64_t>& w, Rng* rng) {
  std::vector<uint32_t> out(w.size(), 0);
  std::vector<uint32_t> members;
  uint64_t sum = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 0) continue;
    members.push_back(static_cast<uint32_t>(i));
    sum += w[i];
  }
  if (sum == 0) return out;  // no member
  if (total < members.size()) {
    for (size_t k = 0; k < total; ++k) {
      const size_t j = k + rng->Below(members.size() - k);
      std::swap(members[k], members[j]);
      out[members[k]] = 1;
    }
    return out;
  }
  const uint64_t extra = total - members.size();
  std::vector<std::pair<uint64_t, uint32_t>> rem;  // (remainder, index)
  rem.reserve(members.size());
  uint64_t given = 0;
  for (uint32_t i : members) {
    const U128 share = U128{extra} * w[i];
    out[i] = static_cast<uint32_t>(1 + share / sum);
    given += static_cast<uint64_t>(share / sum);
    rem.emplace_back(static_cast<uint64_t>(share % sum), i);
  }
  std::sort(rem.begin(), rem.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (uint64_t k = 0; k < extra - given; ++k) ++out[rem[k].second];
  return out;
}

constexpr const char* kNameStems[] = {"Alta",    "Nova",  "Rede",   "Sur",     "Norte",  "Andes",
                                      "Pampa",   "Metro", "Global", "Fibra",   "Giga",   "Cielo",
                                      "Costa",   "Delta", "Orbit",  "Vale",    "Rio",    "Sol",
                                      "Luna",    "Terra", "Nordic", "Baltic",  "Sahel",  "Savanna",
                                      "Pacific", "Atlas", "Summit", "Prairie", "Harbor", "Lotus"};
constexpr const char* kNameKinds[] = {"Net",      "Telecom",  "Networks", "Comunicaciones",
                                      "Internet", "Datacom",  "Online",   "Hosting",
                                      "Cloud",    "Broadband"};

std::string OrgName(Rng* rng, std::string_view cc) {
  const char* stem = kNameStems[rng->Below(std::size(kNameStems))];
  const char* kind = kNameKinds[rng->Below(std::size(kNameKinds))];
  return fmt::format("{} {} {}", stem, kind, cc);
}

uint64_t PairKey(uint32_t a, uint32_t b) {
  return a < b ? (uint64_t{a} << 32 | b) : (uint64_t{b} << 32 | a);
}

// kMaxAses, kMaxTier1, kMaxPrefixes and kMaxPrefixesPerAllocation
// (core/limits.h) keep a config within what the generator can place.

// A public ASN not in *used (then added to it): a mix of 2- and 4-octet
// numbers.
Asn DrawPublicAsn(Rng* rng, std::unordered_set<Asn>* used) {
  for (;;) {
    Asn a;
    if (rng->Chance(0.55)) {
      a = static_cast<Asn>(rng->Between(1, 64495));
    } else {
      a = static_cast<Asn>(rng->Between(131072, 401999));
    }
    if (IsBogonAsn(a) || !used->insert(a).second) continue;
    return a;
  }
}

// Allocations, announcements and RIR pool records for the ASes of *out (by
// their tiers and RIRs), with out->config.prefixes announced prefixes. Shared
// by GenerateTopology and AddSyntheticAddressSpace; the draws, and so the
// seed-1 Internet, are those GenerateTopology has always made.
Status DrawAddressSpace(SyntheticInternet* out, Rng* random, const std::function<Asn()>& new_asn) {
  SyntheticInternet& net = *out;
  Rng& rng = *random;
  const SyntheticConfig& config = net.config;
  const auto n = static_cast<uint32_t>(net.ases.size());

  // --- Address space. Each AS gets a number of announced prefixes per
  // family: one each, the rest in proportion to a heavy-tailed weight
  // (tier base times 2^k, k geometric).
  const uint64_t v6_total =
      static_cast<uint64_t>(std::llround(static_cast<double>(config.prefixes) * config.ipv6_share));
  const uint64_t v4_total = config.prefixes - v6_total;
  std::vector<uint64_t> w4(n), w6(n);
  for (uint32_t i = 0; i < n; ++i) {
    const Tier tier = net.ases[i].tier;
    uint64_t w = tier == Tier::kTier1   ? 64
                 : tier == Tier::kTier2 ? 16
                 : tier == Tier::kTier3 ? 4
                                        : 1;
    for (int k = 0; k < 10 && rng.Chance(0.5); ++k) w *= 2;
    w4[i] = w;
    const double v6_chance = tier == Tier::kTier3 ? 0.7 : tier == Tier::kStub ? 0.4 : 1.0;
    w6[i] = rng.Chance(v6_chance) ? w : 0;
  }
  const std::vector<uint32_t> count4 = Apportion(v4_total, w4, &rng);
  const std::vector<uint32_t> count6 = Apportion(v6_total, w6, &rng);

  std::vector<BuddyPool> pools4, pools6;
  for (int r = 0; r < kRirCount; ++r) {
    pools4.emplace_back(Family::kIpv4);
    pools6.emplace_back(Family::kIpv6);
    for (const Prefix& p : IanaBlocks(static_cast<Rir>(r), Family::kIpv4))
      pools4.back().Add(PrefixStart(p), p.length());
    for (const Prefix& p : IanaBlocks(static_cast<Rir>(r), Family::kIpv6))
      pools6.back().Add(PrefixStart(p), p.length());
  }
  net.allocations.reserve(static_cast<size_t>(n) * 2 + 64);
  net.announcements.reserve(config.prefixes);

  // Reserved blocks are taken before any allocation, as an RIR holds them back.
  for (int r = 0; r < kRirCount; ++r) {
    U128 s;
    if (pools4[r].Take(20, &rng, &s))
      net.pool.push_back({static_cast<Rir>(r), true, false, 0, MakePrefix(Family::kIpv4, s, 20)});
    if (pools6[r].Take(32, &rng, &s))
      net.pool.push_back({static_cast<Rir>(r), true, false, 0, MakePrefix(Family::kIpv6, s, 32)});
  }

  for (uint32_t i = 0; i < n; ++i) {
    const SynthAs& as = net.ases[i];
    for (int fam = 0; fam < 2; ++fam) {
      const bool v4 = fam == 0;
      const uint32_t count = v4 ? count4[i] : count6[i];
      if (count == 0) continue;
      const Family family = v4 ? Family::kIpv4 : Family::kIpv6;
      const int max_len = v4 ? 24 : 48;
      BuddyPool& pool = v4 ? pools4[static_cast<int>(as.rir)] : pools6[static_cast<int>(as.rir)];
      // Allocations: one, sometimes more for transit, and enough that none
      // carries more than kMaxPrefixesPerAllocation more-specifics.
      uint32_t allocs = 1;
      if (as.tier != Tier::kStub && count >= 3) {
        if (rng.Chance(0.3)) ++allocs;
        if (rng.Chance(0.1)) ++allocs;
      }
      allocs = std::max<uint32_t>(
          allocs, (count + kMaxPrefixesPerAllocation - 1) / kMaxPrefixesPerAllocation);
      allocs = std::min(allocs, count);
      const uint32_t specifics = count - allocs;
      for (uint32_t a = 0; a < allocs; ++a) {
        const uint32_t m = specifics / allocs + (a < specifics % allocs ? 1 : 0);
        int len;
        switch (as.tier) {
          case Tier::kTier1:
            len = v4 ? static_cast<int>(rng.Between(12, 15)) : 29;
            break;
          case Tier::kTier2:
            len = static_cast<int>(v4 ? rng.Between(16, 18) : rng.Between(29, 30));
            break;
          case Tier::kTier3:
            len = static_cast<int>(v4 ? rng.Between(18, 20) : rng.Between(31, 32));
            break;
          case Tier::kStub:
          default: {
            constexpr int kStubV6[] = {40, 42, 44, 46, 48};
            constexpr uint32_t kStubV6Weights[] = {2, 1, 3, 1, 5};
            len = v4 ? static_cast<int>(rng.Between(22, 24))
                     : kStubV6[rng.Weighted(kStubV6Weights, 5)];
          }
        }
        // Room for the more-specifics at one length past the allocation.
        const int need = m == 0 ? 0 : static_cast<int>(std::max<uint32_t>(1, CeilLog2(m)));
        len = std::min(len, max_len - need);
        U128 start;
        if (!pool.Take(len, &rng, &start)) {
          return Status::LimitExceeded(
              fmt::format("{} {} address pool exhausted", RirName(as.rir), v4 ? "IPv4" : "IPv6"));
        }
        const auto alloc_index = static_cast<uint32_t>(net.allocations.size());
        const Prefix block = MakePrefix(family, start, len);
        const bool assigned = as.tier == Tier::kStub && rng.Chance(0.5);
        net.allocations.push_back(
            {block, as.asn, as.rir, std::max(as.asn_date, Date(&rng, 1995, 2025)), assigned});
        net.announcements.push_back({block, as.asn, alloc_index});
        if (m == 0) continue;
        // m distinct sub-blocks at length sub_len (Floyd's sampling).
        int sub_len = len + need;
        if (sub_len < max_len && rng.Chance(0.5)) ++sub_len;
        const uint64_t slots = uint64_t{1} << (sub_len - len);
        std::unordered_set<uint64_t> pick;
        std::vector<uint64_t> picked;
        for (uint64_t j = slots - m; j < slots; ++j) {
          const uint64_t t = rng.Below(j + 1);
          const uint64_t v = pick.insert(t).second ? t : j;
          if (v == j) pick.insert(j);
          picked.push_back(v);
        }
        std::sort(picked.begin(), picked.end());
        const int bits = v4 ? 32 : 128;
        for (uint64_t v : picked) {
          net.announcements.push_back(
              {MakePrefix(family, start + (U128{v} << (bits - sub_len)), sub_len), as.asn,
               alloc_index});
        }
      }
    }
  }

  // Available space and ASNs the RIRs still hold.
  for (int r = 0; r < kRirCount; ++r) {
    for (int k = 0; k < 3; ++k) {
      U128 s;
      if (pools4[r].Take(22, &rng, &s))
        net.pool.push_back(
            {static_cast<Rir>(r), false, false, 0, MakePrefix(Family::kIpv4, s, 22)});
      if (pools6[r].Take(36, &rng, &s))
        net.pool.push_back(
            {static_cast<Rir>(r), false, false, 0, MakePrefix(Family::kIpv6, s, 36)});
      net.pool.push_back({static_cast<Rir>(r), false, true, new_asn(), Prefix()});
    }
    net.pool.push_back({static_cast<Rir>(r), true, true, new_asn(), Prefix()});
  }
  return Status::Ok();
}

}  // namespace

std::string_view RirName(Rir r) { return Info(r).name; }
std::string_view RirRegistry(Rir r) { return Info(r).registry; }

std::string_view TierName(Tier t) {
  switch (t) {
    case Tier::kTier1:
      return "tier1";
    case Tier::kTier2:
      return "tier2";
    case Tier::kTier3:
      return "tier3";
    case Tier::kStub:
      return "stub";
  }
  return "";
}

bool IsBogonAsn(Asn asn) {
  // RFC 7607 (0), RFC 6793 (23456), RFC 5398 (64496-64511, 65536-65551),
  // RFC 6996 (64512-65534, 4200000000-4294967294), RFC 7300 (65535,
  // 4294967295), and 65552-131071 reserved by IANA.
  return asn == 0 || asn == kAsTrans || (asn >= 64496 && asn <= 131071) || asn >= 4200000000u;
}

std::vector<Prefix> IanaBlocks(Rir r, Family f) {
  std::vector<Prefix> out;
  if (f == Family::kIpv4) {
    for (uint8_t b : V4Blocks(r)) out.push_back(MakePrefix(f, U128{b} << 24, 8));
  } else {
    out.push_back(MakePrefix(f, U128{V6Block(r)} << 112, 12));
  }
  return out;
}

Result<SyntheticInternet> GenerateTopology(const SyntheticConfig& config) {
  const uint32_t n = config.ases;
  const uint32_t t1 =
      config.tier1 != 0 ? config.tier1 : std::clamp<uint32_t>(10 + n / 7500, 10, 20);
  if (n > kMaxAses) return Status::InvalidArgument(fmt::format("more than {} ASes", kMaxAses));
  if (t1 > kMaxTier1) {
    return Status::InvalidArgument(fmt::format("a clique of more than {} ASes", kMaxTier1));
  }
  if (n < t1 + 3) {
    return Status::InvalidArgument(
        fmt::format("{} ASes: need at least the {}-AS clique and three more", n, t1));
  }
  if (config.prefixes > kMaxPrefixes) {
    return Status::InvalidArgument(fmt::format("more than {} prefixes", kMaxPrefixes));
  }
  auto share_ok = [](double s) { return s >= 0 && s <= 1; };
  if (!share_ok(config.ipv6_share) || !share_ok(config.tier2_share) ||
      !share_ok(config.tier3_share) || !share_ok(config.sibling_org_share) ||
      config.tier2_share + config.tier3_share > 0.95) {
    return Status::InvalidArgument("a share is outside [0, 1] or tier 2 + tier 3 exceed 95 %");
  }

  Rng rng(config.seed);
  SyntheticInternet net;
  net.config = config;
  const double n_d = static_cast<double>(n);
  const auto rest = n - t1;
  const uint32_t t2 = std::clamp<uint32_t>(
      static_cast<uint32_t>(std::llround(n_d * config.tier2_share)), 1, rest - 2);
  const uint32_t t3 = std::clamp<uint32_t>(
      static_cast<uint32_t>(std::llround(n_d * config.tier3_share)), 1, rest - t2 - 1);

  // ASNs: unique, public, a mix of 2- and 4-octet numbers.
  std::unordered_set<Asn> used;
  used.reserve(size_t{n} * 2);
  auto new_asn = [&] { return DrawPublicAsn(&rng, &used); };

  // Countries in a fixed order, for per-country lists.
  std::vector<std::string> country_names;
  std::vector<uint32_t> as_country;  // per AS, into country_names
  auto country_id = [&](std::string_view cc) {
    for (size_t i = 0; i < country_names.size(); ++i)
      if (country_names[i] == cc) return static_cast<uint32_t>(i);
    country_names.emplace_back(cc);
    return static_cast<uint32_t>(country_names.size() - 1);
  };

  net.ases.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    SynthAs as;
    as.tier = i < t1             ? Tier::kTier1
              : i < t1 + t2      ? Tier::kTier2
              : i < t1 + t2 + t3 ? Tier::kTier3
                                 : Tier::kStub;
    as.rir = static_cast<Rir>(
        rng.Weighted(as.tier == Tier::kTier1 ? kTier1RirWeights : kRirWeights, kRirCount));
    std::span<const CountryWeight> cs = Countries(as.rir);
    std::vector<uint32_t> cw;
    for (const CountryWeight& c : cs) cw.push_back(c.weight);
    as.country = cs[rng.Weighted(cw.data(), cw.size())].cc;
    as.asn = new_asn();
    as.asn_date = as.tier == Tier::kStub ? Date(&rng, 2000, 2025) : Date(&rng, 1993, 2015);
    as_country.push_back(country_id(as.country));
    net.ases.push_back(std::move(as));
  }

  // --- Links. Providers by preferential attachment: pools hold an AS once
  // plus once per customer, so a draw picks it in proportion to 1 +
  // customers. A provider is always an earlier AS: no provider cycles.
  std::vector<std::pair<uint32_t, uint32_t>> p2c;  // (provider, customer) indices
  std::vector<std::pair<uint32_t, uint32_t>> p2p;
  std::unordered_set<uint64_t> linked;
  linked.reserve(static_cast<size_t>(n) * 8);
  auto add_p2p = [&](uint32_t a, uint32_t b) {
    if (a == b || !linked.insert(PairKey(a, b)).second) return;
    p2p.emplace_back(a, b);
  };
  for (uint32_t a = 0; a < t1; ++a)
    for (uint32_t b = a + 1; b < t1; ++b) add_p2p(a, b);

  // pools[tier][rir]; index kRirCount holds every region.
  std::array<std::array<std::vector<uint32_t>, kRirCount + 1>, 4> pools;
  auto pool_add = [&](uint32_t i) {
    const SynthAs& as = net.ases[i];
    pools[static_cast<int>(as.tier)][static_cast<int>(as.rir)].push_back(i);
    pools[static_cast<int>(as.tier)][kRirCount].push_back(i);
  };
  for (uint32_t i = 0; i < t1; ++i) pool_add(i);

  constexpr uint32_t kProviderCounts[3][4] = {{25, 40, 25, 10}, {35, 40, 18, 7}, {55, 33, 9, 3}};
  struct Source {
    Tier tier;
    bool own_region;
    uint32_t weight;
  };
  // Where each slot's provider comes from, by the customer's tier.
  const std::vector<Source> kSources[3] = {
      {{Tier::kTier1, false, 75}, {Tier::kTier2, true, 25}},
      {{Tier::kTier2, true, 70},
       {Tier::kTier2, false, 12},
       {Tier::kTier3, true, 5},
       {Tier::kTier1, false, 13}},
      {{Tier::kTier3, true, 55},
       {Tier::kTier2, true, 25},
       {Tier::kTier2, false, 10},
       {Tier::kTier3, false, 5},
       {Tier::kTier1, false, 5}},
  };
  std::vector<uint32_t> customers(n, 0);
  for (uint32_t i = t1; i < n; ++i) {
    const SynthAs& as = net.ases[i];
    const int tier_row = static_cast<int>(as.tier) - 1;
    const uint32_t want = 1 + static_cast<uint32_t>(rng.Weighted(kProviderCounts[tier_row], 4));
    const std::vector<Source>& sources = kSources[tier_row];
    std::vector<uint32_t> sw;
    for (const Source& s : sources) sw.push_back(s.weight);
    std::vector<uint32_t> chosen;
    for (uint32_t attempt = 0; chosen.size() < want && attempt < want * 8; ++attempt) {
      const Source& s = sources[rng.Weighted(sw.data(), sw.size())];
      // Fall back up the hierarchy while the pool is empty: own region, then
      // every region, then the next tier up; Tier 1 is never empty.
      int tier = static_cast<int>(s.tier);
      int region = s.own_region ? static_cast<int>(as.rir) : kRirCount;
      while (pools[tier][region].empty()) {
        if (region != kRirCount) {
          region = kRirCount;
        } else {
          --tier;
          region = static_cast<int>(as.rir);
        }
      }
      const std::vector<uint32_t>& pool = pools[tier][region];
      const uint32_t p = pool[rng.Below(pool.size())];
      if (std::find(chosen.begin(), chosen.end(), p) != chosen.end()) continue;
      chosen.push_back(p);
    }
    for (uint32_t p : chosen) {
      linked.insert(PairKey(p, i));
      p2c.emplace_back(p, i);
      ++customers[p];
      pool_add(p);
    }
    if (as.tier != Tier::kStub) pool_add(i);
  }

  // Private peering among transit ASes: tier 2 within its region, tier 3
  // within its country.
  std::array<std::vector<uint32_t>, kRirCount> tier2_by_rir;
  std::vector<std::vector<uint32_t>> by_country(country_names.size());
  std::vector<std::vector<uint32_t>> tier3_by_country(country_names.size());
  std::array<std::vector<uint32_t>, kRirCount> by_rir;
  for (uint32_t i = t1; i < n; ++i) {
    const SynthAs& as = net.ases[i];
    if (as.tier == Tier::kTier2) tier2_by_rir[static_cast<int>(as.rir)].push_back(i);
    if (as.tier == Tier::kTier3) tier3_by_country[as_country[i]].push_back(i);
    by_country[as_country[i]].push_back(i);
    by_rir[static_cast<int>(as.rir)].push_back(i);
  }
  for (uint32_t i = t1; i < t1 + t2 + t3; ++i) {
    const SynthAs& as = net.ases[i];
    const std::vector<uint32_t>& peers = as.tier == Tier::kTier2
                                             ? tier2_by_rir[static_cast<int>(as.rir)]
                                             : tier3_by_country[as_country[i]];
    if (peers.size() < 2) continue;
    const uint64_t d = as.tier == Tier::kTier2 ? rng.Between(1, 6) : rng.Below(3);
    for (uint64_t k = 0; k < d; ++k) add_p2p(i, peers[rng.Below(peers.size())]);
  }

  const size_t first_ixp_p2p = p2p.size();
  // IXPs, placed where ASes are (a random non-clique AS's country), with a
  // heavy-tailed membership; each member peers with a few other members.
  const uint32_t ixp_count = config.ixps != 0 ? config.ixps : std::max<uint32_t>(3, n / 75);
  for (uint32_t k = 0; k < ixp_count; ++k) {
    const uint32_t seed_as = static_cast<uint32_t>(rng.Between(t1, n - 1));
    SynthIxp ixp;
    ixp.id = k + 1;
    ixp.rir = net.ases[seed_as].rir;
    ixp.country = net.ases[seed_as].country;
    ixp.name = fmt::format("IX-{}-{}", ixp.country, ixp.id);
    const std::vector<uint32_t>& candidates = by_country[as_country[seed_as]].size() >= 4
                                                  ? by_country[as_country[seed_as]]
                                                  : by_rir[static_cast<int>(ixp.rir)];
    uint64_t size = rng.Between(4, 15);
    while (size < 600 && rng.Chance(0.4)) size *= 2;
    size = std::min<uint64_t>(size, candidates.size());
    std::vector<uint32_t> members;
    std::unordered_set<uint32_t> in;
    for (uint64_t tries = 0; members.size() < size && tries < size * 4; ++tries) {
      const uint32_t m = candidates[rng.Below(candidates.size())];
      if (in.insert(m).second) members.push_back(m);
    }
    for (size_t a = 0; a < members.size() && members.size() >= 2; ++a) {
      const uint64_t d = std::min<uint64_t>(members.size() - 1, rng.Between(1, 6));
      for (uint64_t j = 0; j < d; ++j) add_p2p(members[a], members[rng.Below(members.size())]);
    }
    for (uint32_t m : members) ixp.members.push_back(net.ases[m].asn);
    std::sort(ixp.members.begin(), ixp.members.end());
    net.ixps.push_back(std::move(ixp));
  }

  for (const auto& [p, c] : p2c) {
    net.graph.AddLink(net.ases[p].asn, net.ases[c].asn, topology::LinkType::kP2c);
  }
  for (const auto& [a, b] : p2p) {
    net.graph.AddLink(net.ases[a].asn, net.ases[b].asn, topology::LinkType::kP2p);
  }
  net.graph.Build();
  net.first_ixp_link = p2c.size() + first_ixp_p2p;
  for (uint32_t i = 0; i < t1; ++i) net.clique.push_back(net.ases[i].asn);

  // --- Organisations: most own one AS; a few own 2-5 ASes of one country.
  {
    std::vector<std::vector<uint32_t>> shuffled = by_country;
    for (auto& list : shuffled) {
      for (size_t k = list.size(); k > 1; --k) std::swap(list[k - 1], list[rng.Below(k)]);
    }
    std::vector<size_t> cursor(shuffled.size(), 0);
    constexpr uint32_t kNoOrg = UINT32_MAX;
    std::vector<uint32_t> org_of(n, kNoOrg);
    for (uint32_t i = 0; i < n; ++i) {
      if (org_of[i] != kNoOrg) continue;
      SynthAs& as = net.ases[i];
      SynthOrg org;
      const auto org_index = static_cast<uint32_t>(net.orgs.size());
      org.id = fmt::format("SYN-{:06}-{}", org_index + 1, RirTag(as.rir));
      org.name = OrgName(&rng, as.country);
      org.country = as.country;
      org.rir = as.rir;
      org_of[i] = org_index;
      std::vector<uint32_t> members = {i};
      if (i >= t1 && rng.Chance(config.sibling_org_share)) {
        const uint64_t size = rng.Between(2, 5);
        const std::vector<uint32_t>& list = shuffled[as_country[i]];
        size_t& c = cursor[as_country[i]];
        while (members.size() < size && c < list.size()) {
          const uint32_t j = list[c++];
          if (org_of[j] != kNoOrg) continue;
          org_of[j] = org_index;
          members.push_back(j);
        }
      }
      std::sort(members.begin(), members.end());
      for (uint32_t j : members) {
        net.ases[j].org = org_index;
        org.ases.push_back(net.ases[j].asn);
      }
      net.orgs.push_back(std::move(org));
    }
  }

  if (Status s = DrawAddressSpace(&net, &rng, new_asn); !s.ok()) return s;
  return net;
}

Status AddSyntheticAddressSpace(SyntheticInternet* net, uint64_t seed) {
  if (net->ases.empty()) return Status::InvalidArgument("no AS to give address space to");
  if (net->config.prefixes > kMaxPrefixes) {
    return Status::InvalidArgument(fmt::format("more than {} prefixes", kMaxPrefixes));
  }
  if (!(net->config.ipv6_share >= 0 && net->config.ipv6_share <= 1)) {
    return Status::InvalidArgument("the IPv6 share is outside [0, 1]");
  }
  net->allocations.clear();
  net->announcements.clear();
  net->pool.clear();
  // Pool ASNs must not be any AS's.
  std::unordered_set<Asn> used;
  used.reserve(net->ases.size() * 2);
  for (const SynthAs& as : net->ases) used.insert(as.asn);
  Rng rng(seed);
  return DrawAddressSpace(net, &rng, [&] { return DrawPublicAsn(&rng, &used); });
}

std::string DelegatedExtendedText(const SyntheticInternet& net, Rir rir) {
  struct Row {
    int type;  // 0 asn, 1 ipv4, 2 ipv6
    U128 start;
    std::string text;
    uint32_t date;
  };
  std::vector<Row> rows;
  const std::string_view reg = RirRegistry(rir);
  const std::string_view as_status = rir == Rir::kArin ? "assigned" : "allocated";
  for (const SynthAs& as : net.ases) {
    if (as.rir != rir) continue;
    rows.push_back({0, as.asn,
                    fmt::format("{}|{}|asn|{}|1|{}|{}|{}", reg, as.country, as.asn, as.asn_date,
                                as_status, net.orgs[as.org].id),
                    as.asn_date});
  }
  std::unordered_map<Asn, uint32_t> org_of;
  org_of.reserve(net.ases.size());
  for (const SynthAs& as : net.ases) org_of.emplace(as.asn, as.org);
  auto value = [](const Prefix& p) {
    return p.family() == Family::kIpv4 ? (uint64_t{1} << (32 - p.length())) : p.length();
  };
  for (const Allocation& a : net.allocations) {
    if (a.rir != rir) continue;
    const SynthOrg& org = net.orgs[org_of.at(a.holder)];
    const bool v4 = a.prefix.family() == Family::kIpv4;
    rows.push_back({v4 ? 1 : 2, PrefixStart(a.prefix),
                    fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", reg, org.country, v4 ? "ipv4" : "ipv6",
                                a.prefix.address().ToString(), value(a.prefix), a.date,
                                a.assigned ? "assigned" : "allocated", org.id),
                    a.date});
  }
  for (const PoolRecord& p : net.pool) {
    if (p.rir != rir) continue;
    const char* status = p.reserved ? "reserved" : "available";
    if (p.is_asn) {
      rows.push_back({0, p.asn, fmt::format("{}|ZZ|asn|{}|1||{}|", reg, p.asn, status), 0});
    } else {
      const bool v4 = p.prefix.family() == Family::kIpv4;
      rows.push_back({v4 ? 1 : 2, PrefixStart(p.prefix),
                      fmt::format("{}|ZZ|{}|{}|{}||{}|", reg, v4 ? "ipv4" : "ipv6",
                                  p.prefix.address().ToString(), value(p.prefix), status),
                      0});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.type != b.type ? a.type < b.type : a.start < b.start;
  });
  uint64_t counts[3] = {0, 0, 0};
  uint32_t first_date = 0;
  for (const Row& r : rows) {
    ++counts[r.type];
    if (r.date != 0 && (first_date == 0 || r.date < first_date)) first_date = r.date;
  }
  std::string out = fmt::format("2.3|{}|{}|{}|{}|{}|{}\n", reg, net.config.date, rows.size(),
                                first_date, net.config.date, UtcOffset(rir));
  constexpr const char* kTypes[] = {"asn", "ipv4", "ipv6"};
  for (int t = 0; t < 3; ++t)
    out += fmt::format("{}|*|{}|*|{}|summary\n", reg, kTypes[t], counts[t]);
  for (const Row& r : rows) {
    out += r.text;
    out += '\n';
  }
  return out;
}

Status WriteDelegatedFiles(const SyntheticInternet& net, const std::string& dir) {
  for (int r = 0; r < kRirCount; ++r) {
    const Rir rir = static_cast<Rir>(r);
    const std::string path =
        fmt::format("{}/delegated-{}-extended-{}", dir, RirRegistry(rir), net.config.date);
    const std::string text = DelegatedExtendedText(net, rir);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return Status::IoError(path + ": cannot create");
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) return Status::IoError(path + ": write failed");
  }
  return Status::Ok();
}

std::string AsRelText(const SyntheticInternet& net) {
  std::string out =
      fmt::format("# synthetic AS relationships, vigia simulate seed {}\n", net.config.seed);
  out += "# input clique:";
  for (Asn a : net.clique) out += fmt::format(" {}", a);
  // CAIDA lists here the ASes of the exchanges themselves (route servers),
  // not their members; the synthetic exchanges have none. (Listing the
  // members made a 137 KB line at full scale.)
  out += "\n# IXP ASes:\n";
  const std::vector<topology::Link>& links = net.graph.links();
  for (size_t i = 0; i < links.size(); ++i) {
    const topology::Link& l = links[i];
    out += fmt::format("{}|{}|{}|{}\n", net.graph.AsnAt(l.a), net.graph.AsnAt(l.b),
                       static_cast<int>(l.type), i >= net.first_ixp_link ? "mlp" : "bgp");
  }
  return out;
}

std::string As2OrgText(const SyntheticInternet& net) {
  // CAIDA as2org: an organisation section, then an AS section, each opened
  // by its "# format:" line.
  std::string out = "# format:org_id|changed|org_name|country|source\n";
  for (const SynthOrg& o : net.orgs) {
    out += fmt::format("{}|{}|{}|{}|{}\n", o.id, net.config.date, o.name, o.country, RirTag(o.rir));
  }
  out += "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
  for (const SynthAs& as : net.ases) {
    const SynthOrg& o = net.orgs[as.org];
    out += fmt::format("{}|{}|AS{}-{}|{}|{}|{}\n", as.asn, as.asn_date, as.asn, o.country, o.id,
                       o.id, RirTag(as.rir));
  }
  return out;
}

}  // namespace vigia::sim
