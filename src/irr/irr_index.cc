#include "irr/irr_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include "irr/arin_whois.h"

namespace vigia::irr {

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  }
  return out;
}

namespace {
constexpr size_t kPoolBlock = 1 << 20;
}  // namespace

StringPool::StringPool() : slots_(1024, 0) { Intern(""); }

uint64_t StringPool::Hash(std::string_view s) {
  // FNV-1a over 8-byte words: names are short, and this is several times
  // cheaper than a byte-at-a-time hash for them.
  uint64_t h = 0xcbf29ce484222325ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  uint64_t w = 0;
  if (i < s.size()) std::memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0x100000001b3ull;
  h ^= h >> 32;
  return h * 0x9E3779B97F4A7C15ull;
}

size_t StringPool::Probe(std::string_view s, uint64_t h) const {
  const size_t mask = slots_.size() - 1;
  const uint64_t tag = h >> 32 << 32;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return i;
    if ((slot & ~uint64_t{0xFFFFFFFF}) == tag && views_[(slot & 0xFFFFFFFF) - 1] == s) return i;
  }
}

void StringPool::Grow() {
  std::vector<uint64_t> bigger(slots_.size() * 2, 0);
  const size_t mask = bigger.size() - 1;
  for (uint32_t id = 0; id < views_.size(); ++id) {
    const uint64_t h = Hash(views_[id]);
    size_t i = h & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = (h >> 32 << 32) | (id + 1);
  }
  slots_ = std::move(bigger);
}

uint32_t StringPool::Intern(std::string_view s) {
  const uint64_t h = Hash(s);
  size_t i = Probe(s, h);
  if (slots_[i] != 0) return static_cast<uint32_t>(slots_[i] & 0xFFFFFFFF) - 1;
  if ((views_.size() + 1) * 2 > slots_.size()) {
    Grow();
    i = Probe(s, h);
  }
  if (s.size() > block_left_) {
    // Blocks grow from 4 KiB to 1 MiB: small databases stay small.
    const size_t n = std::max(std::min(kPoolBlock, size_t{4096} << blocks_.size()), s.size());
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(n));
    block_pos_ = blocks_.back().get();
    block_left_ = n;
  }
  if (!s.empty()) std::memcpy(block_pos_, s.data(), s.size());
  const uint32_t id = static_cast<uint32_t>(views_.size());
  views_.emplace_back(block_pos_, s.size());
  block_pos_ += s.size();
  block_left_ -= s.size();
  slots_[i] = (h >> 32 << 32) | (id + 1);
  return id;
}

std::optional<uint32_t> StringPool::Find(std::string_view s) const {
  const size_t i = Probe(s, Hash(s));
  if (slots_[i] == 0) return std::nullopt;
  return static_cast<uint32_t>(slots_[i] & 0xFFFFFFFF) - 1;
}

std::string DefaultSourceFor(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  path = path.substr(0, path.find('.'));
  if (path.empty() || path == "-") return "UNKNOWN";
  return ToUpper(path);
}

namespace {
bool SameName(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - ('a' - 'A')) : a[i];
    if (c != upper[i]) return false;
  }
  return true;
}
}  // namespace

SourceId IrrDatabase::InternSource(std::string_view name) {
  if (auto id = FindSource(name)) return *id;
  sources_.push_back(ToUpper(name));
  return static_cast<SourceId>(sources_.size() - 1);
}

std::optional<SourceId> IrrDatabase::FindSource(std::string_view name) const {
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (SameName(name, sources_[i])) return static_cast<SourceId>(i);
  }
  return std::nullopt;
}

std::vector<SourceId> IrrDatabase::AllSources() const {
  std::vector<SourceId> all(sources_.size());
  std::iota(all.begin(), all.end(), SourceId{0});
  return all;
}

uint16_t IrrDatabase::AddFile(std::string name, bool json) {
  // Past the cap, places name the last file slot; only messages suffer.
  if (files_.size() < kMaxFiles) files_.push_back({std::move(name), json});
  return static_cast<uint16_t>(files_.size() - 1);
}

std::string IrrDatabase::Where(const ObjectPlace& place) const {
  if (place.file >= files_.size()) return "?";
  const FileInfo& f = files_[place.file];
  if (f.json) {
    return fmt::format("{}: whois_records.{}[{}]", f.name, place.line >> 31 ? "v6" : "v4",
                       place.line & 0x7FFFFFFFu);
  }
  return fmt::format("{}:{}", f.name, place.line);
}

uint32_t IrrDatabase::InternMaintainers(std::span<const std::string_view> mnt_by) {
  if (mnt_by.empty()) return 0;
  scratch_.clear();
  for (std::string_view m : mnt_by) {
    if (!scratch_.empty()) scratch_ += ' ';
    scratch_ += m;
  }
  return strings_.Intern(scratch_);
}

uint32_t IrrDatabase::InternUpper(std::string_view s) {
  scratch_.assign(s);
  for (char& c : scratch_) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  }
  return strings_.Intern(scratch_);
}

namespace {
// Appends object index `i` under `key`, replacing an earlier object of the
// same source: a later dump of a source supersedes an earlier one.
template <typename Obj>
void IndexBySource(std::vector<uint32_t>* ids, std::vector<Obj>* objs, uint32_t i) {
  for (uint32_t& id : *ids) {
    if ((*objs)[id].source == (*objs)[i].source) {
      id = i;
      return;
    }
  }
  ids->push_back(i);
}
}  // namespace

void IrrDatabase::AddAsSet(const AsSetFields& f, SourceId source, ObjectPlace place) {
  AsSetObject o;
  o.name = InternUpper(f.name);
  o.source = source;
  o.place = place;
  o.mnt_by = InternMaintainers(f.mnt_by);
  o.first_member = static_cast<uint32_t>(as_set_members_.size());
  o.member_count = static_cast<uint32_t>(f.members.size());
  for (const AsSetMember& m : f.members) {
    as_set_members_.push_back(m.is_set ? AsSetMemberRef{InternUpper(m.name), true}
                                       : AsSetMemberRef{m.asn, false});
  }
  as_sets_.push_back(o);
  IndexBySource(&as_set_by_name_[o.name], &as_sets_, static_cast<uint32_t>(as_sets_.size() - 1));
}

void IrrDatabase::AddRouteSet(const RouteSetFields& f, SourceId source, ObjectPlace place) {
  RouteSetObject o;
  o.name = InternUpper(f.name);
  o.source = source;
  o.place = place;
  o.mnt_by = InternMaintainers(f.mnt_by);
  o.first_member = static_cast<uint32_t>(route_set_members_.size());
  o.member_count = static_cast<uint32_t>(f.members.size());
  for (const RouteSetMember& m : f.members) {
    route_set_members_.push_back({m.kind, strings_.Intern(m.text), m.prefix});
  }
  route_sets_.push_back(o);
  IndexBySource(&route_set_by_name_[o.name], &route_sets_,
                static_cast<uint32_t>(route_sets_.size() - 1));
}

void IrrDatabase::AddAutNum(const AutNumFields& f, SourceId source, ObjectPlace place) {
  AutNumObject o;
  o.asn = f.asn;
  o.source = source;
  o.place = place;
  o.as_name = strings_.Intern(f.as_name);
  o.mnt_by = InternMaintainers(f.mnt_by);
  aut_nums_.push_back(o);
  IndexBySource(&aut_num_by_asn_[o.asn], &aut_nums_, static_cast<uint32_t>(aut_nums_.size() - 1));
}

void IrrDatabase::AddMntner(const MntnerFields& f, SourceId source, ObjectPlace place) {
  MntnerObject o;
  o.name = InternUpper(f.name);
  o.source = source;
  o.place = place;
  mntners_.push_back(o);
  IndexBySource(&mntner_by_name_[o.name], &mntners_, static_cast<uint32_t>(mntners_.size() - 1));
}

template <typename Obj>
const Obj* IrrDatabase::Pick(const std::vector<Obj>& objs, const std::vector<uint32_t>* ids,
                             std::span<const SourceId> order) const {
  if (ids == nullptr || ids->empty()) return nullptr;
  if (order.empty()) {
    // No preference given: sources in load order, i.e. the lowest id.
    const Obj* best = nullptr;
    for (uint32_t id : *ids) {
      if (best == nullptr || objs[id].source < best->source) best = &objs[id];
    }
    return best;
  }
  for (SourceId s : order) {
    for (uint32_t id : *ids) {
      if (objs[id].source == s) return &objs[id];
    }
  }
  return nullptr;
}

const AsSetObject* IrrDatabase::FindAsSet(uint32_t upper_name_id,
                                          std::span<const SourceId> order) const {
  auto it = as_set_by_name_.find(upper_name_id);
  return Pick(as_sets_, it == as_set_by_name_.end() ? nullptr : &it->second, order);
}

const AsSetObject* IrrDatabase::FindAsSet(std::string_view name,
                                          std::span<const SourceId> order) const {
  auto id = strings_.Find(ToUpper(name));
  return id ? FindAsSet(*id, order) : nullptr;
}

const RouteSetObject* IrrDatabase::FindRouteSet(std::string_view name,
                                                std::span<const SourceId> order) const {
  auto id = strings_.Find(ToUpper(name));
  if (!id) return nullptr;
  auto it = route_set_by_name_.find(*id);
  return Pick(route_sets_, it == route_set_by_name_.end() ? nullptr : &it->second, order);
}

const AutNumObject* IrrDatabase::FindAutNum(Asn asn, std::span<const SourceId> order) const {
  auto it = aut_num_by_asn_.find(asn);
  return Pick(aut_nums_, it == aut_num_by_asn_.end() ? nullptr : &it->second, order);
}

const MntnerObject* IrrDatabase::FindMntner(std::string_view name,
                                            std::span<const SourceId> order) const {
  auto id = strings_.Find(ToUpper(name));
  if (!id) return nullptr;
  auto it = mntner_by_name_.find(*id);
  return Pick(mntners_, it == mntner_by_name_.end() ? nullptr : &it->second, order);
}

void IrrDatabase::Build() {
  // Sorted by prefix, then origin, source and place (a total order, so the
  // result does not depend on the sort); the same (prefix, origin, source)
  // registered twice (the same dump loaded twice, or an IRR that keeps
  // duplicates) is kept once, the first loaded.
  std::sort(routes_.begin(), routes_.end(), [](const RouteObject& a, const RouteObject& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    if (a.origin != b.origin) return a.origin < b.origin;
    if (a.source != b.source) return a.source < b.source;
    if (a.place.file != b.place.file) return a.place.file < b.place.file;
    return a.place.line < b.place.line;
  });
  routes_.erase(std::unique(routes_.begin(), routes_.end(),
                            [](const RouteObject& a, const RouteObject& b) {
                              return a.prefix == b.prefix && a.origin == b.origin &&
                                     a.source == b.source;
                            }),
                routes_.end());
  trie_ = PrefixTrie<uint32_t>();
  for (size_t i = 0; i < routes_.size(); ++i) {
    trie_.Insert(routes_[i].prefix, static_cast<uint32_t>(i));
  }
  // By origin: (origin, index) packed in one integer sorts fastest.
  std::vector<uint64_t> keys(routes_.size());
  for (size_t i = 0; i < routes_.size(); ++i) keys[i] = uint64_t{routes_[i].origin} << 32 | i;
  std::sort(keys.begin(), keys.end());
  by_origin_.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) by_origin_[i] = static_cast<uint32_t>(keys[i]);
  built_ = true;
}

std::span<const uint32_t> IrrDatabase::RoutesByOrigin(Asn asn) const {
  EnsureBuilt();
  auto lo = std::lower_bound(by_origin_.begin(), by_origin_.end(), asn,
                             [&](uint32_t i, Asn a) { return routes_[i].origin < a; });
  auto hi = std::upper_bound(lo, by_origin_.end(), asn,
                             [&](Asn a, uint32_t i) { return a < routes_[i].origin; });
  return {by_origin_.data() + (lo - by_origin_.begin()), static_cast<size_t>(hi - lo)};
}

Status IrrDatabase::LoadFile(const std::string& path, const LoadOptions& opts) {
  auto in = io::InputStream::Open(path);
  if (!in.ok()) return in.status();
  return LoadStream(in->get(), path, opts);
}

Status IrrDatabase::LoadText(std::string_view text, const std::string& name,
                             const LoadOptions& opts) {
  auto in = io::InputStream::FromMemory(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
  return LoadStream(in.get(), name, opts);
}

Status IrrDatabase::LoadStream(io::InputStream* in, const std::string& name,
                               const LoadOptions& opts) {
  // Enough of the head to tell JSON from RPSL (comments may come first in
  // RPSL, but JSON starts with '{' after white space).
  constexpr size_t kHead = 4096;
  std::string head(kHead, '\0');
  head.resize(in->Read(reinterpret_cast<std::byte*>(head.data()), kHead));
  size_t i = 0;
  if (head.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;  // a UTF-8 byte-order mark
  while (i < head.size() &&
         (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    ++i;
  Status s = (i < head.size() && head[i] == '{') ? LoadJson(in, std::move(head), name)
                                                 : LoadRpsl(in, head, name, opts);
  // A damaged archive is reported even when what it yielded was refused:
  // the cut is why (a truncated .json.bz2 is both a bzip2 and a JSON error).
  if (!in->status().ok()) {
    std::string_view why = in->status().message();
    if (why.starts_with(name + ": ")) why.remove_prefix(name.size() + 2);
    problems_.Add(name, std::string(why) + (s.ok() ? "; the rest of the file is ignored"
                                                   : "; the file was not loaded"));
    ++counts_.skipped;
  }
  built_ = false;
  return s;
}

Status IrrDatabase::LoadJson(io::InputStream* in, std::string head, const std::string& name) {
  // The whole document in one buffer with the padding the JSON parser
  // reads into; an originAS export is tens of MB.
  const bool sized = in->compression() == io::Compression::kNone && in->compressed_size() > 0;
  size_t cap =
      (sized ? std::max<size_t>(head.size(), in->compressed_size()) : head.size() + (1 << 20)) +
      (1 << 16) + kJsonPadding;
  auto buf = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(buf.get(), head.data(), head.size());
  size_t size = head.size(), n;
  do {
    if (cap - size - kJsonPadding < (1 << 16)) {
      if (cap > kMaxJsonBytes) {
        problems_.Add(name, "JSON larger than 2 GiB; not loaded");
        ++counts_.skipped;
        return Status::Ok();
      }
      auto grown = std::make_unique_for_overwrite<char[]>(cap * 2);
      std::memcpy(grown.get(), buf.get(), size);
      buf = std::move(grown);
      cap *= 2;
    }
    n = in->Read(reinterpret_cast<std::byte*>(buf.get() + size), cap - size - kJsonPadding);
    size += n;
  } while (n > 0);
  counts_.bytes += size;
  return LoadArinWhoisJson(buf.get(), size, cap, name, this);
}

namespace {

enum class Kind { kNone, kRoute, kRoute6, kAutNum, kAsSet, kRouteSet, kMntner };

// The kept classes, told apart by length first: this runs for every
// object of a dump.
Kind KindOf(std::string_view c) {
  switch (c.size()) {
    case 5:
      return c == "route" ? Kind::kRoute : Kind::kNone;
    case 6:
      return c == "route6"   ? Kind::kRoute6
             : c == "as-set" ? Kind::kAsSet
             : c == "mntner" ? Kind::kMntner
                             : Kind::kNone;
    case 7:
      return c == "aut-num" ? Kind::kAutNum : Kind::kNone;
    case 9:
      return c == "route-set" ? Kind::kRouteSet : Kind::kNone;
    default:
      return Kind::kNone;
  }
}

bool WantedClass(std::string_view c) { return KindOf(c) != Kind::kNone; }

}  // namespace

Status IrrDatabase::LoadRpsl(io::InputStream* in, std::string_view head, const std::string& name,
                             const LoadOptions& opts) {
  const uint16_t file = AddFile(name, false);
  const std::string default_source =
      opts.default_source.empty() ? DefaultSourceFor(name) : ToUpper(opts.default_source);
  // Route objects are most of a dump, a few hundred bytes each: reserving
  // for them up front saves copying the vector as it grows.
  if (in->compression() == io::Compression::kNone && in->compressed_size() > 0) {
    routes_.reserve(routes_.size() + in->compressed_size() / 400);
  }
  RpslReader reader(in, name, WantedClass, &problems_, head, opts.reader);
  RpslObject obj;
  RouteFields route;
  AutNumFields aut_num;
  AsSetFields as_set;
  RouteSetFields route_set;
  MntnerFields mntner;
  Notes notes;
  while (reader.Next(&obj)) {
    notes.clear();
    Status s;
    const CommonFields* common = nullptr;
    const Kind kind = KindOf(obj.class_name);
    if (kind == Kind::kRoute || kind == Kind::kRoute6) {
      s = DecodeRoute(obj, &route, &notes);
      common = &route;
    } else if (kind == Kind::kAutNum) {
      s = DecodeAutNum(obj, &aut_num, &notes);
      common = &aut_num;
    } else if (kind == Kind::kAsSet) {
      s = DecodeAsSet(obj, &as_set, &notes);
      common = &as_set;
    } else if (kind == Kind::kRouteSet) {
      s = DecodeRouteSet(obj, &route_set, &notes);
      common = &route_set;
    } else {
      s = DecodeMntner(obj, &mntner, &notes);
      common = &mntner;
    }
    for (auto& [line, message] : notes) reader.Report(line, std::move(message));
    if (!s.ok()) {
      reader.Report(obj.line, s.message() + "");
      ++counts_.skipped;
      continue;
    }
    const std::string_view source_name =
        common->source.empty() ? std::string_view(default_source) : common->source;
    if (sources_.size() >= kMaxSources && !FindSource(source_name)) {
      reader.Report(obj.line, "more than 1024 sources");
      ++counts_.skipped;
      continue;
    }
    const SourceId source = InternSource(source_name);
    const ObjectPlace place{file, static_cast<uint32_t>(std::min<uint64_t>(obj.line, UINT32_MAX))};
    if (kind == Kind::kRoute || kind == Kind::kRoute6) {
      if (routes_.size() >= kMaxRoutes) {
        reader.Report(obj.line, "more than 100,000,000 route objects");
        ++counts_.skipped;
        continue;
      }
      RouteObject r;
      r.prefix = route.prefix;
      r.origin = route.origin;
      r.source = source;
      r.place = place;
      r.mnt_by = InternMaintainers(route.mnt_by);
      AddRoute(r);
      ++(kind == Kind::kRoute ? counts_.route : counts_.route6);
      continue;
    }
    if (as_sets_.size() + route_sets_.size() + aut_nums_.size() + mntners_.size() >=
        kMaxSetObjects) {
      reader.Report(obj.line, "more than 10,000,000 set, aut-num and mntner objects");
      ++counts_.skipped;
      continue;
    }
    if (kind == Kind::kAutNum) {
      AddAutNum(aut_num, source, place);
      ++counts_.aut_num;
    } else if (kind == Kind::kAsSet) {
      AddAsSet(as_set, source, place);
      ++counts_.as_set;
    } else if (kind == Kind::kRouteSet) {
      AddRouteSet(route_set, source, place);
      ++counts_.route_set;
    } else {
      AddMntner(mntner, source, place);
      ++counts_.mntner;
    }
  }
  counts_.objects_seen += reader.stats().objects;
  counts_.skipped += reader.stats().objects_skipped;
  counts_.bytes += reader.stats().bytes;
  return Status::Ok();
}

}  // namespace vigia::irr
