#include "registry/registry.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace vigia::registry {

namespace {
bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
}  // namespace

Status Registry::AddDelegatedFile(const std::string& path) {
  Status s = stats_.LoadFile(path);
  if (s.ok()) delegated_files_.push_back(path);
  return s;
}

Status Registry::AddIanaFile(const std::string& path) {
  Status s = iana_.LoadFile(path);
  if (s.ok()) iana_files_.push_back(path);
  return s;
}

Status Registry::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::IoError(dir + ": not a directory");
  std::vector<std::string> delegated, iana;
  auto it =
      fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::IoError(dir + ": " + ec.message());
  size_t seen = 0;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IoError(dir + ": " + ec.message());
    if (it.depth() >= kMaxRegistryDepth) it.disable_recursion_pending();
    if (!it->is_regular_file(ec)) continue;
    if (++seen > 100 * kMaxRegistryFiles) break;
    const std::string name = it->path().filename().string();
    if (StartsWith(name, "delegated-")) delegated.push_back(it->path().string());
    if (StartsWith(name, "ipv4-address-space") ||
        StartsWith(name, "ipv6-unicast-address-assignments")) {
      iana.push_back(it->path().string());
    }
  }
  // Directory order is arbitrary; file order decides record order.
  std::sort(delegated.begin(), delegated.end());
  std::sort(iana.begin(), iana.end());
  if (delegated.size() + iana.size() > kMaxRegistryFiles) {
    return Status::LimitExceeded(dir + ": more than 1000 registry files");
  }
  if (delegated.empty() && iana.empty()) {
    return Status::NotFound(dir + ": no delegated-* files and no IANA address-space CSVs");
  }
  for (const std::string& f : delegated) {
    Status s = AddDelegatedFile(f);
    if (!s.ok()) file_problems_.Add(f, s.message());
  }
  for (const std::string& f : iana) {
    Status s = AddIanaFile(f);
    if (!s.ok()) file_problems_.Add(f, s.message());
  }
  return Status::Ok();
}

void Registry::Build(BogonOptions opts) {
  const std::vector<DelegatedRecord>& recs = stats_.records();
  for (uint32_t i = 0; i < recs.size(); ++i) {
    const DelegatedRecord& r = recs[i];
    if (r.type == ResourceType::kAsn) {
      asn_records_.push_back(i);
    } else {
      for (const Prefix& p : RangeToPrefixes(r.family(), r.first, r.last)) prefixes_.Insert(p, i);
    }
  }
  std::stable_sort(asn_records_.begin(), asn_records_.end(),
                   [&](uint32_t a, uint32_t b) { return recs[a].first < recs[b].first; });
  bogons_ = BogonList::Compute(stats_, iana_, opts);
}

std::vector<const DelegatedRecord*> Registry::Covering(const Prefix& p) const {
  const RangeSet one = [&] {
    RangeSet s(p.family());
    s.Add(p);
    return s;
  }();
  const AddressRange q = one.ranges()[0];
  std::vector<const DelegatedRecord*> out;
  std::set<uint32_t> seen;
  auto consider = [&](const Prefix&, uint32_t i) {
    const DelegatedRecord& r = stats_.records()[i];
    if (r.first <= q.first && r.last >= q.last && seen.insert(i).second) out.push_back(&r);
  };
  // The pieces are the largest aligned blocks of each record, so a prefix
  // inside a record always lies inside one of its pieces.
  prefixes_.ForEachCovering(p, consider);
  std::sort(out.begin(), out.end(), [](const DelegatedRecord* a, const DelegatedRecord* b) {
    return a->last - a->first > b->last - b->first;
  });
  return out;
}

std::vector<const DelegatedRecord*> Registry::Covered(const Prefix& p, size_t max,
                                                      size_t* total) const {
  std::vector<uint32_t> ids;
  prefixes_.ForEachCovered(p, [&](const Prefix& piece, uint32_t i) {
    if (piece.length() > p.length()) ids.push_back(i);
  });
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<const DelegatedRecord*> out;
  for (uint32_t i : ids) out.push_back(&stats_.records()[i]);
  std::sort(out.begin(), out.end(),
            [](const DelegatedRecord* a, const DelegatedRecord* b) { return a->first < b->first; });
  *total = out.size();
  if (out.size() > max) out.resize(max);
  return out;
}

std::vector<const DelegatedRecord*> Registry::ForAsn(Asn asn) const {
  std::vector<const DelegatedRecord*> out;
  const std::vector<DelegatedRecord>& recs = stats_.records();
  auto end = std::upper_bound(asn_records_.begin(), asn_records_.end(), asn,
                              [&](Asn x, uint32_t i) { return x < recs[i].first; });
  // AS records may nest or repeat (an NRO file beside an RIR file), so every
  // record starting at or before asn is checked: a linear scan, fine for
  // interactive lookups.
  for (auto it = asn_records_.begin(); it != end; ++it) {
    if (recs[*it].last >= asn) out.push_back(&recs[*it]);
  }
  return out;
}

}  // namespace vigia::registry
