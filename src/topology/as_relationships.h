// AS relationships: the business relationship behind each inter-AS link, as
// CAIDA infers it (serial-1, serial-2) and TopoScope publishes it (serial-1
// lines, no header).
//
// Line formats (CAIDA as-rel README):
//   serial-1   <provider-as>|<customer-as>|-1     and  <peer-as>|<peer-as>|0
//   serial-2   the same three fields plus |<source> (how the link was seen,
//              e.g. "bgp" or "mlp" for multilateral peering at an IXP).
// Comment lines start with '#'; "# input clique:" (or "inferred clique") and
// "# IXP ASes:" list ASNs and are kept per file.
//
// An AsRelationships owns every link it loaded (with the file and line it
// came from), a dense index of the ASNs, and after Build() a compact
// adjacency (CSR: one offset array and one target array per direction) for
// providers, customers and peers. Several files may be loaded into one set;
// a link seen again with the same relationship counts as a duplicate, one
// with a different relationship is reported as a conflict and the first one
// is kept. Loading reports each bad line as file:line, skips it and goes on.
//
// Not thread-safe while loading; after Build() it is read-only and may be
// shared between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/limits.h"
#include "core/problem_log.h"
#include "core/status.h"
#include "io/input_stream.h"

namespace vigia::topology {

// Caps on what input may make us hold: core/limits.h.

// Problems reported while loading go to a ProblemLog (core/problem_log.h).

// What the first AS is to the second.
enum class Relation : uint8_t { kNone, kProvider, kCustomer, kPeer };
std::string_view RelationName(Relation r);  // "none", "provider", "customer", "peer"

enum class LinkType : int8_t { kP2c = -1, kP2p = 0 };

inline constexpr uint16_t kNoFile = 0xFFFF;  // a link added by the program, not read

struct Link {
  uint32_t a;  // dense index; for p2c the provider
  uint32_t b;  // for p2c the customer
  LinkType type;
  uint16_t file;    // into files(), or kNoFile
  uint16_t source;  // into sources(); 0 = none (serial-1)
  uint32_t line;
};

struct RelFile {
  std::string name;
  std::string format;  // "serial-1", "serial-2", or "" when no link line was read
  std::vector<Asn> clique;
  std::vector<Asn> ixp_ases;
  size_t links = 0;       // lines that added a new link
  size_t duplicates = 0;  // lines repeating a known link with the same relationship
  size_t conflicts = 0;   // lines contradicting a known link (the first one is kept)
  size_t skipped = 0;     // malformed lines
};

class AsRelationships {
 public:
  AsRelationships() { sources_.push_back(""); }

  // Loads one as-rel file of any compression io::InputStream reads. Fails
  // only when the file cannot be opened or read (a damaged compressed stream
  // keeps the lines before the damage and fails naming the offset).
  Status LoadFile(const std::string& path);
  // The same from a stream; name is used in messages.
  Status LoadStream(io::InputStream* in, const std::string& name);
  Status LoadText(std::string_view text, const std::string& name);

  // Adds one link; false when it contradicts a known link (which is kept) or
  // a cap is reached. For kP2c, a is the provider.
  bool AddLink(Asn a, Asn b, LinkType type, uint16_t file = kNoFile, uint32_t line = 0,
               uint16_t source = 0);

  // Builds the adjacency; loading calls it. Call after AddLink() before
  // sharing between threads (queries build on demand).
  void Build();

  size_t as_count() const { return asns_.size(); }
  size_t link_count() const { return links_.size(); }
  size_t p2c_count() const { return p2c_; }
  size_t p2p_count() const { return links_.size() - p2c_; }

  std::optional<uint32_t> Index(Asn asn) const {
    auto it = index_.find(asn);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  Asn AsnAt(uint32_t index) const { return asns_[index]; }

  // Neighbours by dense index, sorted by index.
  std::span<const uint32_t> Providers(uint32_t i) const { return Adj(kProv, i); }
  std::span<const uint32_t> Customers(uint32_t i) const { return Adj(kCust, i); }
  std::span<const uint32_t> Peers(uint32_t i) const { return Adj(kPeer, i); }

  // What a is to b, and the link that says so (nullptr when none).
  Relation RelationOf(Asn a, Asn b, const Link** link = nullptr) const;

  const std::vector<Link>& links() const { return links_; }
  const std::vector<RelFile>& files() const { return files_; }
  const std::vector<std::string>& sources() const { return sources_; }
  const ProblemLog& problems() const { return problems_; }

 private:
  enum Dir { kProv = 0, kCust = 1, kPeer = 2 };
  struct Csr {
    std::vector<uint32_t> offset;  // as_count() + 1 entries
    std::vector<uint32_t> target;
  };
  std::span<const uint32_t> Adj(Dir d, uint32_t i) const {
    if (dirty_) const_cast<AsRelationships*>(this)->Build();
    const Csr& c = adj_[d];
    return {c.target.data() + c.offset[i], c.offset[i + 1] - c.offset[i]};
  }
  std::optional<uint32_t> Intern(Asn asn);
  uint16_t InternSource(std::string_view tag);
  static uint64_t Key(uint32_t x, uint32_t y) {
    return x < y ? (uint64_t{x} << 32 | y) : (uint64_t{y} << 32 | x);
  }
  void ParseLine(std::string_view line, RelFile* file, uint16_t file_index, uint32_t line_no);
  void ParseHeader(std::string_view line, RelFile* file, const std::string& where);

  std::vector<Asn> asns_;
  std::unordered_map<Asn, uint32_t> index_;
  std::vector<Link> links_;
  std::unordered_map<uint64_t, uint32_t> by_pair_;  // Key(a, b) -> links_ index
  size_t p2c_ = 0;
  Csr adj_[3];
  bool dirty_ = false;
  std::vector<RelFile> files_;
  std::vector<std::string> sources_;
  ProblemLog problems_;
};

}  // namespace vigia::topology
