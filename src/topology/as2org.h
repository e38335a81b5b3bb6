// AS-to-organisation mapping: CAIDA's as2org dataset (as-org2info), built
// from the RIRs' WHOIS data.
//
// The file has two sections, each opened by a comment naming its columns:
//   # format:org_id|changed|org_name|country|source
//   # format:aut|changed|aut_name|org_id|opaque_id|source
// Columns are found by these names, so a reordered release still loads.
// Organisations and ASes are kept as read; ASes of the same organisation are
// siblings (CAIDA's AS Rank and customer-cone work treat them as one
// entity).
//
// An As2Org owns its records. Loading reports each bad line as file:line,
// skips it and goes on; a duplicate org_id or ASN keeps the first record.
// Not thread-safe while loading, read-only and shareable afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/limits.h"
#include "core/status.h"
#include "io/input_stream.h"
#include "topology/as_relationships.h"

namespace vigia::topology {

// kMaxOrgs, kMaxOrgAses, kMaxFieldBytes: core/limits.h.

struct Org {
  std::string id;  // e.g. "LPL-141-ARIN"
  std::string name;
  std::string country;     // ISO 3166 alpha-2 as given
  std::string source;      // RIR or data source, e.g. "ARIN"
  std::string changed;     // YYYYMMDD, may be empty
  bool described = false;  // false: only referred to by an AS line
  std::vector<Asn> ases;   // sorted after loading
};

struct AsOrg {
  uint32_t org;      // index into orgs()
  std::string name;  // aut_name
  std::string source;
};

class As2Org {
 public:
  Status LoadFile(const std::string& path);
  Status LoadStream(io::InputStream* in, const std::string& name);
  Status LoadText(std::string_view text, const std::string& name);

  // The organisation of asn, nullptr when unknown.
  const Org* OrgOf(Asn asn) const;
  const AsOrg* Find(Asn asn) const;
  const Org* FindOrg(std::string_view org_id) const;
  // The other ASes of asn's organisation, sorted.
  std::vector<Asn> Siblings(Asn asn) const;
  bool AreSiblings(Asn a, Asn b) const;

  const std::vector<Org>& orgs() const { return orgs_; }
  size_t as_count() const { return by_asn_.size(); }
  const ProblemLog& problems() const { return problems_; }

 private:
  uint32_t InternOrg(std::string_view id);

  std::vector<Org> orgs_;
  std::unordered_map<std::string, uint32_t> by_org_id_;
  std::unordered_map<Asn, AsOrg> by_asn_;
  ProblemLog problems_;
};

}  // namespace vigia::topology
