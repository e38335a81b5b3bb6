// PeeringDB: networks, organisations, exchanges, their peering LANs and
// prefixes, network ports at exchanges and network contacts, loaded from the
// JSON that PeeringDB's API and its dump tools write.
//
// Two file forms are read:
//   - API form, one table per file: {"data": [...], "meta": {...}}, named
//     after the table ("ix.json", "ixlan-0.json", "netixlan.json.gz"; the
//     "-0" is the CDN cache's page suffix);
//   - full-dump form, every table in one file: {"net": {"data": [...]},
//     "ix": {"data": [...]}, ...}, as CAIDA's PeeringDB archive and
//     `peeringdb dump` write.
// Tables read: net, org, ix, ixlan, ixpfx, netixlan, poc (PeeringDB API
// schema, https://www.peeringdb.com/apidocs/); others (fac, carrier, campus,
// ...) are listed as ignored. Missing tables are fine: loaded() says which
// were read. Records with status "deleted" are counted and dropped.
//
// Contacts (poc) keep their role and visibility and whether a name, e-mail,
// phone and URL are present, not the values: the scoring (MANRS Action 3)
// needs only presence, and anonymous dumps hold only "Public" contacts.
//
// A PeeringDb owns its records and, after loading, indexes by id and ASN.
// A bad record is reported as "file: table[index]: reason", skipped and
// counted. Not thread-safe while loading; read-only and shareable after.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/prefix_trie.h"
#include "core/problem_log.h"
#include "core/status.h"

namespace vigia::peeringdb {

// Caps on what input may make us hold: core/limits.h.

enum class Table : uint8_t { kNet, kOrg, kIx, kIxLan, kIxPfx, kNetIxLan, kPoc };
inline constexpr size_t kTableCount = 7;
std::string_view TableName(Table t);  // "net", "org", ...
std::optional<Table> TableFromName(std::string_view name);

struct Net {
  uint32_t id = 0;
  uint32_t org_id = 0;
  Asn asn = 0;
  std::string name, aka, website, irr_as_set, info_type, policy_general, status;
  int64_t info_prefixes4 = -1, info_prefixes6 = -1;  // -1: not given
};

struct Organisation {
  uint32_t id = 0;
  std::string name, country, city, website, status;
};

struct Ix {
  uint32_t id = 0;
  uint32_t org_id = 0;
  std::string name, name_long, city, country, region_continent, website, status;
  bool has_tech_email = false, has_policy_email = false;
};

struct IxLan {
  uint32_t id = 0;
  uint32_t ix_id = 0;
  std::string name;
  Asn rs_asn = 0;    // 0: none given
  uint32_t mtu = 0;  // 0: none given
};

struct IxPfx {
  uint32_t id = 0;
  uint32_t ixlan_id = 0;
  Prefix prefix;
  bool in_dfz = false;
};

// A network's port on an exchange LAN.
struct NetIxLan {
  uint32_t id = 0;
  uint32_t net_id = 0;
  uint32_t ix_id = 0;  // 0 when the record lacks it (then found through ixlan)
  uint32_t ixlan_id = 0;
  Asn asn = 0;
  std::optional<IpAddress> ipaddr4, ipaddr6;
  uint64_t speed = 0;  // Mbit/s
  bool is_rs_peer = false;
  bool operational = true;
};

struct Poc {
  uint32_t id = 0;
  uint32_t net_id = 0;
  std::string role;     // "Abuse", "NOC", "Policy", "Technical", ...
  std::string visible;  // "Public", "Users", "Private"
  bool has_name = false, has_email = false, has_phone = false, has_url = false;
};

struct TableStats {
  size_t files = 0;    // files this table was read from
  size_t records = 0;  // kept
  size_t skipped = 0;  // bad records
  size_t deleted = 0;  // status "deleted"
};

// One port of a network at an exchange, with the exchange resolved.
struct Membership {
  const NetIxLan* port;
  const Ix* ix;  // nullptr when the ix table lacks it
};

class PeeringDb {
 public:
  // Loads a directory (every file whose name is a table, "ix.json",
  // "ixlan-0.json.gz", ..., and every other *.json* file that turns out to
  // be a full dump) or a single file of either form. Fails when the path
  // cannot be read or a named file is no PeeringDB JSON; bad records are
  // problems, not failures.
  Status Load(const std::string& path);
  // One file; table_hint is the table for the API form (from the name when
  // absent).
  Status LoadFile(const std::string& path, std::optional<Table> table_hint = std::nullopt);
  // JSON text in memory; name is used in messages and, for the API form,
  // to tell the table when table_hint is absent.
  Status LoadText(std::string_view text, const std::string& name,
                  std::optional<Table> table_hint = std::nullopt);

  // Lookups (valid after loading).
  const Net* NetByAsn(Asn asn) const;
  const Net* NetById(uint32_t id) const;
  const Organisation* OrgById(uint32_t id) const;
  const Ix* IxById(uint32_t id) const;
  const IxLan* IxLanById(uint32_t id) const;
  // The exchange of a port: its ix_id, else through its ixlan.
  const Ix* IxOf(const NetIxLan& port) const;
  std::vector<Membership> MembershipsOf(Asn asn) const;
  std::vector<const Poc*> ContactsOf(Asn asn) const;
  std::vector<const IxLan*> LansOf(uint32_t ix_id) const;
  std::vector<const IxPfx*> PrefixesOf(uint32_t ixlan_id) const;
  // Ports at an exchange, and the distinct ASNs behind them.
  std::vector<const NetIxLan*> PortsAt(uint32_t ix_id) const;
  std::vector<Asn> MemberAsns(uint32_t ix_id) const;
  // The peering-LAN prefix holding addr, nullptr when none.
  const IxPfx* LanPrefixOf(const IpAddress& addr) const;

  const std::vector<Net>& nets() const { return nets_; }
  const std::vector<Organisation>& orgs() const { return orgs_; }
  const std::vector<Ix>& ixs() const { return ixs_; }
  const std::vector<IxLan>& ixlans() const { return ixlans_; }
  const std::vector<IxPfx>& ixpfxs() const { return ixpfxs_; }
  const std::vector<NetIxLan>& netixlans() const { return netixlans_; }
  const std::vector<Poc>& pocs() const { return pocs_; }

  bool loaded(Table t) const { return stats_[static_cast<size_t>(t)].files > 0; }
  const TableStats& stats(Table t) const { return stats_[static_cast<size_t>(t)]; }
  // Files and full-dump tables passed over ("campus-0.json", "dump.json: fac").
  const std::vector<std::string>& ignored() const { return ignored_; }
  // Bad records and files; where is "file: table[index]" or "file".
  const ProblemLog& problems() const { return problems_; }
  size_t problem_count() const { return problems_.count(); }

 private:
  friend class Loader;
  void Problem(std::string where, std::string message);
  void Reindex();

  std::vector<Net> nets_;
  std::vector<Organisation> orgs_;
  std::vector<Ix> ixs_;
  std::vector<IxLan> ixlans_;
  std::vector<IxPfx> ixpfxs_;
  std::vector<NetIxLan> netixlans_;
  std::vector<Poc> pocs_;

  // id -> position, per table.
  std::array<std::unordered_map<uint32_t, uint32_t>, kTableCount> by_id_;
  std::unordered_map<Asn, uint32_t> net_by_asn_;
  std::unordered_multimap<Asn, uint32_t> ports_by_asn_;
  std::unordered_multimap<uint32_t, uint32_t> ports_by_ix_;
  std::unordered_multimap<uint32_t, uint32_t> pocs_by_net_;
  std::unordered_multimap<uint32_t, uint32_t> lans_by_ix_;
  std::unordered_multimap<uint32_t, uint32_t> pfxs_by_lan_;
  PrefixTrie<uint32_t> lan_trie_;

  std::array<TableStats, kTableCount> stats_{};
  std::vector<std::string> ignored_;
  ProblemLog problems_;
};

}  // namespace vigia::peeringdb
