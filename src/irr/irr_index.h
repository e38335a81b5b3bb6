// IrrDatabase: the IRR objects of any number of RPSL dumps and ARIN-WHOIS
// originAS files, indexed per source (SPEC C4).
//
// Every object carries its source (the `source:` attribute, else the
// default the caller names, e.g. from the file name) and its identity (file
// and line, or JSON record). Kept: route/route6 (in a PrefixTrie and by
// origin), aut-num (by AS number), as-set and route-set (by upper-cased
// name, one object per source), mntner (by name). Names are interned once
// in a StringPool. Queries take a source order: the sources to look in,
// most preferred first; empty means every source, in the order they were
// first loaded.
//
// Loading never stops at a bad object: each is reported (file:line and the
// rule broken), skipped and counted. After loading, Build() (or the first
// query) sorts and indexes; from then on the database is read-only and safe
// to share between threads. Not thread-safe while loading.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/prefix_trie.h"
#include "core/status.h"
#include "io/input_stream.h"
#include "irr/rpsl_lexer.h"
#include "irr/rpsl_object.h"

namespace vigia::irr {

using SourceId = uint16_t;

// Caps on what input may make us hold: core/limits.h.

// Interned strings: id 0 is "". The bytes live in large arena blocks and
// the ids in an open-addressing table, so interning a name costs one hash
// and usually one probe, and never an allocation of its own. Ids and views
// stay valid for the pool's life.
class StringPool {
 public:
  StringPool();
  uint32_t Intern(std::string_view s);
  std::optional<uint32_t> Find(std::string_view s) const;
  std::string_view Get(uint32_t id) const { return views_[id]; }
  size_t size() const { return views_.size(); }

 private:
  static uint64_t Hash(std::string_view s);
  size_t Probe(std::string_view s, uint64_t h) const;  // slot of s, or of the empty slot for it
  void Grow();

  std::vector<std::string_view> views_;
  // Each slot: the string's 32-bit hash above its id + 1 (0 = empty), so
  // that most mismatches are rejected without touching the string.
  std::vector<uint64_t> slots_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_left_ = 0;
  char* block_pos_ = nullptr;
};

struct ObjectPlace {
  uint16_t file = 0;  // index into IrrDatabase::files()
  uint32_t line = 0;  // RPSL: line of the first attribute; JSON: record index
};

struct RouteObject {
  Prefix prefix;
  Asn origin = 0;
  SourceId source = 0;
  ObjectPlace place;
  uint32_t mnt_by = 0;  // interned "MNT-A MNT-B" as written; 0 = none
  uint32_t name = 0;    // ARIN-WHOIS network name; 0 = none
};

struct AsSetObject {
  uint32_t name = 0;  // interned, upper case
  SourceId source = 0;
  ObjectPlace place;
  uint32_t mnt_by = 0;
  uint32_t first_member = 0;  // into the member array
  uint32_t member_count = 0;
};

struct AsSetMemberRef {
  uint32_t value = 0;  // an ASN, or the interned upper-case set name
  bool is_set = false;
};

struct RouteSetObject {
  uint32_t name = 0;  // interned, upper case
  SourceId source = 0;
  ObjectPlace place;
  uint32_t mnt_by = 0;
  uint32_t first_member = 0;
  uint32_t member_count = 0;
};

struct RouteSetMemberRef {
  RouteSetMemberKind kind = RouteSetMemberKind::kPrefix;
  uint32_t text = 0;  // interned, as written (range operator included)
  Prefix prefix;      // kind == kPrefix
};

struct AutNumObject {
  Asn asn = 0;
  SourceId source = 0;
  ObjectPlace place;
  uint32_t as_name = 0;
  uint32_t mnt_by = 0;
};

struct MntnerObject {
  uint32_t name = 0;  // interned, upper case
  SourceId source = 0;
  ObjectPlace place;
};

struct FileInfo {
  std::string name;
  bool json = false;
};

// What was kept from the files loaded so far.
struct LoadCounts {
  uint64_t route = 0, route6 = 0, aut_num = 0, as_set = 0, route_set = 0, mntner = 0;
  uint64_t arin_v4 = 0, arin_v6 = 0;  // ARIN-WHOIS records (one route object per origin)
  uint64_t objects_seen = 0;          // RPSL objects of any class
  uint64_t skipped = 0;               // objects or records skipped as malformed
  uint64_t bytes = 0;
};

struct LoadOptions {
  // Source for RPSL objects without a `source:` attribute; empty: derived
  // from the file name (DefaultSourceFor).
  std::string default_source;
  ReaderOptions reader;
};

// "RADB" for "radb.db.gz", "RIPE" for "ripe.db.route6.gz", "ARIN" for
// "/x/arin.db": the file's base name up to its first '.', upper-cased.
std::string DefaultSourceFor(std::string_view path);

class IrrDatabase {
 public:
  IrrDatabase() = default;
  IrrDatabase(const IrrDatabase&) = delete;
  IrrDatabase& operator=(const IrrDatabase&) = delete;

  // Loads a file of any compression, recognised by content: ARIN-WHOIS
  // originAS JSON when it starts with '{', RPSL otherwise. Fails only when
  // the file cannot be opened; damage inside it is reported in problems()
  // and what could be read is kept.
  Status LoadFile(const std::string& path, const LoadOptions& opts = {});
  // The same from an open stream; name is used in messages.
  Status LoadStream(io::InputStream* in, const std::string& name, const LoadOptions& opts = {});
  // The same from text in memory (tests, fuzzers).
  Status LoadText(std::string_view text, const std::string& name, const LoadOptions& opts = {});

  // Sorts and de-duplicates the route objects and builds the prefix and
  // origin indexes. The first query after loading does it; call it before
  // sharing the database between threads.
  void Build();
  void EnsureBuilt() const {
    if (!built_) const_cast<IrrDatabase*>(this)->Build();
  }

  // Adding decoded objects (the loaders use these). The source name is
  // upper-cased; false when the object was refused (problem reported).
  SourceId InternSource(std::string_view name);
  uint16_t AddFile(std::string name, bool json);
  void AddRoute(const RouteObject& r) {
    routes_.push_back(r);
    built_ = false;
  }
  size_t route_count() const { return routes_.size(); }
  void AddAsSet(const AsSetFields& f, SourceId source, ObjectPlace place);
  void AddRouteSet(const RouteSetFields& f, SourceId source, ObjectPlace place);
  void AddAutNum(const AutNumFields& f, SourceId source, ObjectPlace place);
  void AddMntner(const MntnerFields& f, SourceId source, ObjectPlace place);
  uint32_t InternMaintainers(std::span<const std::string_view> mnt_by);
  uint32_t InternUpper(std::string_view s);
  StringPool& strings() { return strings_; }
  const StringPool& strings() const { return strings_; }
  ProblemLog& problems() { return problems_; }
  const ProblemLog& problems() const { return problems_; }
  LoadCounts& counts() { return counts_; }
  const LoadCounts& counts() const { return counts_; }

  const std::vector<std::string>& sources() const { return sources_; }
  // Case-insensitive.
  std::optional<SourceId> FindSource(std::string_view name) const;
  const std::vector<FileInfo>& files() const { return files_; }
  // Every source in load order: the order used when none is given.
  std::vector<SourceId> AllSources() const;

  // Sorted by prefix, origin and source once built.
  const std::vector<RouteObject>& routes() const {
    EnsureBuilt();
    return routes_;
  }
  const std::vector<AsSetObject>& as_sets() const { return as_sets_; }
  const std::vector<RouteSetObject>& route_sets() const { return route_sets_; }
  const std::vector<AutNumObject>& aut_nums() const { return aut_nums_; }
  const std::vector<MntnerObject>& mntners() const { return mntners_; }

  // Route objects (indexes into routes()) at p and its less-specifics,
  // least specific first. Needs Build().
  template <typename Fn>
  void ForEachCoveringRoute(const Prefix& p, Fn&& fn) const {
    EnsureBuilt();
    trie_.ForEachCovering(p, [&](const Prefix&, const uint32_t& i) { fn(i); });
  }
  // Route objects whose origin is asn (indexes into routes()). Needs Build().
  std::span<const uint32_t> RoutesByOrigin(Asn asn) const;

  // The set of that name from the first source in `order` that has one
  // (every source when order is empty); nullptr when none has.
  const AsSetObject* FindAsSet(std::string_view name, std::span<const SourceId> order) const;
  const AsSetObject* FindAsSet(uint32_t upper_name_id, std::span<const SourceId> order) const;
  std::span<const AsSetMemberRef> Members(const AsSetObject& s) const {
    return {as_set_members_.data() + s.first_member, s.member_count};
  }
  const RouteSetObject* FindRouteSet(std::string_view name, std::span<const SourceId> order) const;
  std::span<const RouteSetMemberRef> Members(const RouteSetObject& s) const {
    return {route_set_members_.data() + s.first_member, s.member_count};
  }
  const AutNumObject* FindAutNum(Asn asn, std::span<const SourceId> order) const;
  const MntnerObject* FindMntner(std::string_view name, std::span<const SourceId> order) const;

  // "file:line" or "file: whois_records.v4[i]".
  std::string Where(const ObjectPlace& place) const;

 private:
  Status LoadRpsl(io::InputStream* in, std::string_view head, const std::string& name,
                  const LoadOptions& opts);
  Status LoadJson(io::InputStream* in, std::string head, const std::string& name);
  template <typename Obj>
  const Obj* Pick(const std::vector<Obj>& objs, const std::vector<uint32_t>* ids,
                  std::span<const SourceId> order) const;

  StringPool strings_;
  std::vector<std::string> sources_;
  std::vector<FileInfo> files_;
  std::vector<RouteObject> routes_;
  std::vector<AsSetObject> as_sets_;
  std::vector<AsSetMemberRef> as_set_members_;
  std::vector<RouteSetObject> route_sets_;
  std::vector<RouteSetMemberRef> route_set_members_;
  std::vector<AutNumObject> aut_nums_;
  std::vector<MntnerObject> mntners_;
  // Upper-case name id (or ASN) -> object indexes, one per source.
  std::unordered_map<uint32_t, std::vector<uint32_t>> as_set_by_name_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> route_set_by_name_;
  std::unordered_map<Asn, std::vector<uint32_t>> aut_num_by_asn_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> mntner_by_name_;
  // Built by Build().
  PrefixTrie<uint32_t> trie_;
  std::vector<uint32_t> by_origin_;  // route indexes sorted by origin
  bool built_ = true;
  ProblemLog problems_;
  LoadCounts counts_;
  std::string scratch_;
};

std::string ToUpper(std::string_view s);

}  // namespace vigia::irr
