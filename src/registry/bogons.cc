#include "registry/bogons.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/printable.h"
#include "io/input_stream.h"
#include "registry/special_purpose.h"

namespace vigia::registry {

std::string_view BogonKindName(BogonKind k) {
  switch (k) {
    case BogonKind::kSpecialPurpose:
      return "special-purpose";
    case BogonKind::kRirNotDelegated:
      return "rir-not-delegated";
    case BogonKind::kIanaReserved:
      return "iana-reserved";
    case BogonKind::kIanaUnallocated:
      return "iana-unallocated";
    case BogonKind::kRirUnlisted:
      return "rir-unlisted";
  }
  return "?";
}

std::string_view BogonClassName(BogonKind k) {
  return k == BogonKind::kSpecialPurpose ? "special" : "administrative";
}

uint32_t BogonList::AddReason(BogonKind kind, std::string detail, RangeSet set) {
  reasons_.push_back({kind, std::move(detail)});
  sets_.push_back(std::move(set));
  return static_cast<uint32_t>(reasons_.size() - 1);
}

RangeSet RirRegion(const IanaRegistry& iana, const std::string& rir, Family f) {
  RangeSet region(f);
  for (const IanaBlock& b : iana.blocks()) {
    if (b.prefix.family() == f && b.rir == rir &&
        (b.status == IanaStatus::kAllocated || b.status == IanaStatus::kLegacy)) {
      region.Add(b.prefix);
    }
  }
  return region;
}

BogonList BogonList::Compute(const DelegatedStats& stats, const IanaRegistry& iana,
                             BogonOptions opts) {
  BogonList out;
  for (Family f : {Family::kIpv4, Family::kIpv6}) {
    // Everything decided so far, bogon or not; later rules only see the rest.
    RangeSet taken(f);
    std::vector<const SpecialPurposeBlock*> special;
    for (const SpecialPurposeBlock& b : SpecialPurposeBlocks()) {
      if (b.prefix.family() != f) continue;
      if (b.bogon) {
        special.push_back(&b);
      } else {
        // RFC 8190 §2: globally reachable (or N/A) entries are routed; they
        // are carved out of any bogon block around them.
        taken.Add(b.prefix);
      }
    }
    std::stable_sort(special.begin(), special.end(),
                     [](const SpecialPurposeBlock* a, const SpecialPurposeBlock* b) {
                       return a->prefix.length() < b->prefix.length();
                     });
    // Least specific first, so that a bogon block inside another (0.0.0.0/32
    // in 0.0.0.0/8) does not split its parent's line.
    for (const SpecialPurposeBlock* b : special) {
      RangeSet block(f);
      block.Add(b->prefix);
      RangeSet piece = block.Subtract(taken);
      taken.Add(block);
      if (!piece.empty()) {
        out.AddReason(BogonKind::kSpecialPurpose, fmt::format("{} ({})", b->name, b->rfc),
                      std::move(piece));
      }
    }
    if (opts.special_only) continue;

    // Delegated space is never an administrative bogon.
    RangeSet delegated(f);
    std::map<std::string, RangeSet> not_delegated;  // "lacnic available" -> space
    for (const DelegatedRecord& r : stats.records()) {
      if (r.type == ResourceType::kAsn || r.family() != f) continue;
      if (IsDelegated(r.status)) {
        delegated.Add(r.first, r.last);
      } else {
        auto key = fmt::format("{} {}", r.registry, DelegationStatusName(r.status));
        not_delegated.try_emplace(key, f).first->second.Add(r.first, r.last);
      }
    }
    taken.Add(delegated);
    RangeSet listed(f);
    for (auto& [label, set] : not_delegated) {
      RangeSet piece = set.Subtract(taken);
      listed.Add(set);
      if (!piece.empty()) out.AddReason(BogonKind::kRirNotDelegated, label, std::move(piece));
    }
    taken.Add(listed);

    // IANA: reserved and unallocated blocks.
    for (const IanaBlock& b : iana.blocks()) {
      if (b.prefix.family() != f) continue;
      if (b.status != IanaStatus::kReserved && b.status != IanaStatus::kUnallocated) continue;
      RangeSet block(f);
      block.Add(b.prefix);
      RangeSet piece = block.Subtract(taken);
      taken.Add(block);
      if (!piece.empty()) {
        const bool reserved = b.status == IanaStatus::kReserved;
        out.AddReason(reserved ? BogonKind::kIanaReserved : BogonKind::kIanaUnallocated,
                      fmt::format("IANA {}: {} ({})", reserved ? "reserved" : "unallocated",
                                  b.designation, b.prefix.ToString()),
                      std::move(piece));
      }
    }
    if (f == Family::kIpv6) {
      RangeSet unicast(f);
      unicast.Add(kIpv6GlobalUnicast);
      RangeSet all(f);
      all.Add(0, MaxAddress(f));
      // RFC 4291 §2.4 and the IANA IPv6 Address Space registry: outside
      // 2000::/3 everything not special is reserved by the IETF.
      RangeSet ietf = all.Subtract(unicast);
      RangeSet piece = ietf.Subtract(taken);
      taken.Add(ietf);
      if (!piece.empty()) {
        out.AddReason(BogonKind::kIanaReserved,
                      "reserved by the IETF outside 2000::/3 (RFC 4291 §2.4)", std::move(piece));
      }
      if (iana.has(f)) {
        RangeSet gua(f);
        gua.Add(kIpv6GlobalUnicast);
        RangeSet assigned(f);
        for (const IanaBlock& b : iana.blocks()) {
          if (b.prefix.family() == f) assigned.Add(b.prefix);
        }
        RangeSet unassigned = gua.Subtract(assigned).Subtract(taken);
        taken.Add(gua.Subtract(assigned));
        if (!unassigned.empty()) {
          out.AddReason(BogonKind::kIanaUnallocated,
                        "IANA unallocated: 2000::/3 not in the unicast assignments registry",
                        std::move(unassigned));
        }
      }
    }

    // Regions of the RIRs whose own file is loaded: what the file does not
    // list is not delegated.
    std::vector<std::string> covered;
    for (const DelegatedFileInfo& info : stats.files()) {
      const int t =
          static_cast<int>(f == Family::kIpv4 ? ResourceType::kIpv4 : ResourceType::kIpv6);
      if (info.header.line != 0 && info.records[t] > 0 &&
          std::find(covered.begin(), covered.end(), info.header.registry) == covered.end()) {
        covered.push_back(info.header.registry);
      }
    }
    std::sort(covered.begin(), covered.end());
    // Space missing from an RIR's file may have left by an inter-RIR
    // transfer, and then appears only in the receiving RIR's file. So the
    // unlisted rule applies only when the files of every RIR that IANA
    // delegates to are loaded.
    std::vector<std::string> iana_rirs;
    for (const IanaBlock& b : iana.blocks()) {
      if (b.prefix.family() == f && !b.rir.empty() &&
          std::find(iana_rirs.begin(), iana_rirs.end(), b.rir) == iana_rirs.end()) {
        iana_rirs.push_back(b.rir);
      }
    }
    const bool all_rirs =
        !iana_rirs.empty() &&
        std::all_of(iana_rirs.begin(), iana_rirs.end(), [&](const std::string& r) {
          return std::find(covered.begin(), covered.end(), r) != covered.end();
        });
    for (const std::string& rir : all_rirs ? covered : std::vector<std::string>{}) {
      RangeSet region = RirRegion(iana, rir, f);
      RangeSet piece = region.Subtract(taken);
      taken.Add(region);
      if (!piece.empty()) {
        out.AddReason(BogonKind::kRirUnlisted,
                      fmt::format("{} region per IANA, not in {}'s delegated stats", rir, rir),
                      std::move(piece));
      }
    }
    out.covered_[f == Family::kIpv4 ? 0 : 1] = std::move(covered);
  }

  // AS numbers: the special ranges, then what the stats list as not
  // delegated.
  RangeSet asn_taken(Family::kIpv4);  // the 32-bit AS number space
  std::vector<std::pair<RangeSet, uint32_t>> asn_sets;
  for (const SpecialAsnRange& r : SpecialAsnRanges()) {
    RangeSet s(Family::kIpv4);
    s.Add(r.first, r.last);
    out.reasons_.push_back({BogonKind::kSpecialPurpose, fmt::format("{} ({})", r.name, r.rfc)});
    out.sets_.emplace_back(Family::kIpv4);  // address sets are not used for ASNs
    asn_sets.emplace_back(s, static_cast<uint32_t>(out.reasons_.size() - 1));
    asn_taken.Add(s);
  }
  if (!opts.special_only) {
    RangeSet delegated(Family::kIpv4);
    std::map<std::string, RangeSet> not_delegated;
    for (const DelegatedRecord& r : stats.records()) {
      if (r.type != ResourceType::kAsn) continue;
      if (IsDelegated(r.status)) {
        delegated.Add(r.first, r.last);
      } else {
        auto key = fmt::format("{} {}", r.registry, DelegationStatusName(r.status));
        not_delegated.try_emplace(key, Family::kIpv4).first->second.Add(r.first, r.last);
      }
    }
    asn_taken.Add(delegated);
    for (auto& [label, set] : not_delegated) {
      RangeSet piece = set.Subtract(asn_taken);
      asn_taken.Add(set);
      if (piece.empty()) continue;
      out.reasons_.push_back({BogonKind::kRirNotDelegated, label});
      out.sets_.emplace_back(Family::kIpv4);
      asn_sets.emplace_back(std::move(piece), static_cast<uint32_t>(out.reasons_.size() - 1));
    }
  }
  for (const auto& [set, reason] : asn_sets) {
    for (const AddressRange& r : set.ranges()) {
      out.asns_.push_back({static_cast<Asn>(r.first), static_cast<Asn>(r.last), reason});
    }
  }
  std::sort(out.asns_.begin(), out.asns_.end(),
            [](const AsnBogon& a, const AsnBogon& b) { return a.first < b.first; });
  return out;
}

std::vector<BogonPrefix> BogonList::Prefixes(Family f) const {
  std::vector<BogonPrefix> out;
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (sets_[i].family() != f) continue;
    for (const Prefix& p : sets_[i].ToPrefixes()) out.push_back({p, static_cast<uint32_t>(i)});
  }
  std::sort(out.begin(), out.end(),
            [](const BogonPrefix& a, const BogonPrefix& b) { return a.prefix < b.prefix; });
  return out;
}

RangeSet BogonList::All(Family f) const {
  RangeSet out(f);
  for (const RangeSet& s : sets_) out.Add(s);
  return out;
}

RangeSet BogonList::Special(Family f) const {
  RangeSet out(f);
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (reasons_[i].kind == BogonKind::kSpecialPurpose) out.Add(sets_[i]);
  }
  return out;
}

RangeSet BogonList::Administrative(Family f) const {
  RangeSet out(f);
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (reasons_[i].kind != BogonKind::kSpecialPurpose) out.Add(sets_[i]);
  }
  return out;
}

const BogonReason* BogonList::Classify(const IpAddress& a) const {
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (sets_[i].family() == a.family() && sets_[i].Contains(a)) return &reasons_[i];
  }
  return nullptr;
}

const BogonReason* BogonList::ClassifyAsn(Asn asn) const {
  auto it = std::upper_bound(asns_.begin(), asns_.end(), asn,
                             [](Asn x, const AsnBogon& b) { return x < b.first; });
  if (it == asns_.begin()) return nullptr;
  --it;
  return asn <= it->last ? &reasons_[it->reason] : nullptr;
}

namespace {

// One line of a prefix list; false once the entry cap is reached (the rest
// of the input is then ignored).
bool PrefixListLine(std::string_view line, const std::string& name, uint64_t line_no,
                    PrefixListFile* out) {
  const size_t hash = line.find('#');
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.empty()) return true;
  auto where = [&] { return fmt::format("{}:{}", name, line_no); };
  if (out->prefixes >= kMaxPrefixListEntries) {
    out->problems.Add(where(), "over the prefix cap; the rest is ignored");
    return false;
  }
  auto p = Prefix::Parse(line);
  if (!p) {
    out->problems.Add(where(),
                      "not a prefix (host bits must be zero): '" + PrintableHead(line) + "'");
    return true;
  }
  ++out->prefixes;
  (p->family() == Family::kIpv4 ? out->v4 : out->v6).Add(*p);
  return true;
}

}  // namespace

void ParsePrefixList(std::string_view text, const std::string& name, PrefixListFile* out) {
  size_t pos = 0;
  uint64_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!PrefixListLine(line, name, ++line_no, out)) break;
  }
}

// Streamed line by line: memory is one read buffer and one line (at most
// kMaxPrefixListLineBytes), whatever the file's decompressed size.
Status LoadPrefixList(const std::string& path, PrefixListFile* out) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  std::string line;
  bool overlong = false;
  uint64_t line_no = 0, total = 0;
  char buf[1 << 16];
  size_t n;
  bool more = true;
  while (more && (n = (*in)->Read(reinterpret_cast<std::byte*>(buf), sizeof buf)) > 0) {
    total += n;
    if (total > kMaxPrefixListBytes) {
      out->problems.Add(path, fmt::format("more than {} MiB after decompression "
                                          "(kMaxPrefixListBytes); the rest is ignored",
                                          kMaxPrefixListBytes >> 20));
      return Status::Ok();
    }
    std::string_view chunk(buf, n);
    while (more && !chunk.empty()) {
      const size_t nl = chunk.find('\n');
      const std::string_view part = chunk.substr(0, nl);
      if (!overlong && line.size() + part.size() > kMaxPrefixListLineBytes) {
        overlong = true;
        line.clear();
      }
      if (!overlong) line.append(part);
      if (nl == std::string_view::npos) break;
      chunk.remove_prefix(nl + 1);
      ++line_no;
      if (overlong) {
        out->problems.Add(fmt::format("{}:{}", path, line_no),
                          fmt::format("line longer than {} bytes", kMaxPrefixListLineBytes));
      } else {
        more = PrefixListLine(line, path, line_no, out);
      }
      line.clear();
      overlong = false;
    }
  }
  if (more && (overlong || !line.empty())) {
    ++line_no;
    if (overlong) {
      out->problems.Add(fmt::format("{}:{}", path, line_no),
                        fmt::format("line longer than {} bytes", kMaxPrefixListLineBytes));
    } else {
      PrefixListLine(line, path, line_no, out);
    }
  }
  if (!(*in)->status().ok()) out->problems.Add(path, (*in)->status().message());
  return Status::Ok();
}

Agreement Compare(const RangeSet& ours, const RangeSet& theirs, const RangeSet& region) {
  Agreement a;
  const RangeSet o = ours.Intersect(region), t = theirs.Intersect(region);
  a.region = region.AddressCount();
  a.both = o.Intersect(t).AddressCount();
  a.only_ours = o.Subtract(t).AddressCount();
  a.only_theirs = t.Subtract(o).AddressCount();
  a.neither = a.region - a.both - a.only_ours - a.only_theirs;
  return a;
}

}  // namespace vigia::registry
